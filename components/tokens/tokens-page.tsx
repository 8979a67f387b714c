"use client";

import { useState, type FormEvent } from "react";
import type { TokenCreatedDto, TokenDto } from "@/lib/api/schemas/tokens";
import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS } from "@/lib/api/schemas/tokens";
import { formatTime } from "@/lib/client/format";
import { useCreateToken, useRevokeToken, useTokens, type NewToken } from "@/lib/client/queries/tokens";
import { usePermissions } from "@/components/auth/use-permissions";
import { CopyButton } from "@/components/ui/copy-button";

const input = "rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900";
const ROLES: NewToken["role"][] = ["viewer", "reader", "operator", "admin"];

/** "a, b c" → ["a", "b", "c"]; empty → ["*"]. */
function globs(text: string): string[] {
  const list = text.split(/[\s,]+/).filter(Boolean);
  return list.length ? list : ["*"];
}

function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span className="text-zinc-400">—</span>;
  const { local, utc } = formatTime(iso);
  return <time dateTime={iso} title={utc}>{local}</time>;
}

/** The secret of a token just created: shown here once, never again. */
function NewSecret({ created, onDone }: { created: TokenCreatedDto; onDone: () => void }) {
  return (
    <div role="status" data-testid="token-secret-panel" className="mb-6 rounded border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950">
      <p className="mb-2 font-medium">Token “{created.token.name}” created. Copy it now: it is not shown again.</p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid="token-secret" className="rounded bg-white px-2 py-1 font-mono text-xs break-all dark:bg-zinc-900">{created.secret}</code>
        <CopyButton text={created.secret} label="Copy token" />
      </div>
      <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">Use it as a bearer token, e.g.</p>
      <pre className="mt-1 overflow-x-auto rounded bg-white px-2 py-1 font-mono text-xs dark:bg-zinc-900">{'curl -H "Authorization: Bearer $DLQ_TOKEN" "$DLQ_URL/api/v1/queues"'}</pre>
      <button type="button" onClick={onDone} className="mt-2 rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">Done</button>
    </div>
  );
}

function NewTokenForm({ isAdmin, onCreated }: { isAdmin: boolean; onCreated: (created: TokenCreatedDto) => void }) {
  const create = useCreateToken();
  const [form, setForm] = useState({ name: "", description: "", role: "viewer" as NewToken["role"], brokers: "*", environments: "*", expiresInDays: TOKEN_DEFAULT_DAYS, serviceAccount: "" });
  const set = <K extends keyof typeof form>(key: K, value: (typeof form)[K]) => setForm((current) => ({ ...current, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token: NewToken = {
      name: form.name,
      role: form.role,
      brokers: globs(form.brokers),
      environments: globs(form.environments),
      expiresInDays: form.expiresInDays,
      ...(form.description.trim() ? { description: form.description } : {}),
      ...(isAdmin && form.serviceAccount.trim() ? { serviceAccount: form.serviceAccount.trim() } : {}),
    };
    create.mutate(token, {
      onSuccess: (created) => {
        setForm((current) => ({ ...current, name: "", description: "", serviceAccount: "" }));
        onCreated(created);
      },
    });
  };
  return (
    <form onSubmit={submit} aria-label="New API token" className="mb-6 grid gap-2 rounded border border-zinc-200 bg-white p-3 text-sm sm:grid-cols-4 dark:border-zinc-800 dark:bg-zinc-900">
      <input required maxLength={100} aria-label="Token name" placeholder="Name (deploy pipeline)" value={form.name} onChange={(event) => set("name", event.target.value)} className={`${input} sm:col-span-2`} />
      <input maxLength={500} aria-label="Description" placeholder="Description (optional)" value={form.description} onChange={(event) => set("description", event.target.value)} className={`${input} sm:col-span-2`} />
      <label className="flex items-center gap-1">
        <span className="text-zinc-600 dark:text-zinc-400">Role</span>
        <select aria-label="Role" value={form.role} onChange={(event) => set("role", event.target.value as NewToken["role"])} className={input}>
          {ROLES.map((role) => <option key={role} value={role}>{role}</option>)}
        </select>
      </label>
      <input aria-label="Brokers" placeholder="Brokers (globs, * for all)" value={form.brokers} onChange={(event) => set("brokers", event.target.value)} className={input} />
      <input aria-label="Environments" placeholder="Environments (globs, * for all)" value={form.environments} onChange={(event) => set("environments", event.target.value)} className={input} />
      <label className="flex items-center gap-1">
        <span className="text-zinc-600 dark:text-zinc-400">Expires in (days)</span>
        <input required type="number" min={1} max={TOKEN_MAX_DAYS} aria-label="Expires in days" value={form.expiresInDays} onChange={(event) => set("expiresInDays", Number(event.target.value))} className={`${input} w-20`} />
      </label>
      {isAdmin && (
        <input aria-label="Service account" placeholder="Service account (optional: the token acts as service:<name>)" value={form.serviceAccount} onChange={(event) => set("serviceAccount", event.target.value)} className={`${input} sm:col-span-3`} />
      )}
      <button type="submit" disabled={create.isPending} className="rounded bg-sky-700 px-3 py-1 text-white hover:bg-sky-800 disabled:opacity-50">Create token</button>
      <p className="text-xs text-zinc-500 sm:col-span-4">
        A token acts as you (or the service account) with the role you pick, never more than your own role on its brokers and environments, and it is cut down to your
        role at every use. Everything done with it is in the audit log under you, with the token. At most {TOKEN_MAX_DAYS} days.
      </p>
      {create.error && <p role="alert" className="text-red-700 sm:col-span-4 dark:text-red-300">{create.error.message}</p>}
    </form>
  );
}

function TokenRows({ tokens }: { tokens: readonly TokenDto[] }) {
  const revoke = useRevokeToken();
  if (tokens.length === 0) return <p className="rounded border border-dashed border-zinc-300 p-4 text-sm dark:border-zinc-700">No API tokens yet.</p>;
  return (
    <>
      {revoke.error && <p role="alert" className="mb-2 text-sm text-red-700 dark:text-red-300">{revoke.error.message}</p>}
      <table className="w-full rounded border border-zinc-200 bg-white text-sm dark:border-zinc-800 dark:bg-zinc-900">
        <thead className="text-left text-zinc-600 dark:text-zinc-400">
          <tr>
            <th className="px-3 py-2">Name</th><th className="px-3 py-2">Acts as</th><th className="px-3 py-2">Role and scope</th><th className="px-3 py-2">Created</th>
            <th className="px-3 py-2">Expires</th><th className="px-3 py-2">Last used</th><th className="px-3 py-2">Status</th><th className="px-3 py-2"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr key={token.id} data-testid="token-row" className="border-t border-zinc-100 align-top dark:border-zinc-800">
              <td className="px-3 py-1.5">
                <span className="font-medium">{token.name}</span>
                <span className="block font-mono text-xs text-zinc-500">dlq_{token.id}_…</span>
                {token.description && <span className="block text-xs text-zinc-500">{token.description}</span>}
              </td>
              <td className="px-3 py-1.5 text-xs">{token.owner}{token.createdBy !== token.owner && <span className="block text-zinc-500">by {token.createdBy}</span>}</td>
              <td className="px-3 py-1.5 font-mono text-xs">{token.role} · {token.brokers.join(", ")} · {token.environments.join(", ")}</td>
              <td className="px-3 py-1.5 text-xs"><Time iso={token.createdAt} /></td>
              <td className="px-3 py-1.5 text-xs"><Time iso={token.expiresAt} /></td>
              <td className="px-3 py-1.5 text-xs"><Time iso={token.lastUsedAt} /></td>
              <td data-testid="token-status" className={`px-3 py-1.5 text-xs ${token.status === "active" ? "text-emerald-700 dark:text-emerald-300" : "text-zinc-500"}`}>
                {token.status}{token.revokedBy ? ` by ${token.revokedBy}` : ""}
              </td>
              <td className="px-3 py-1.5 text-right">
                {token.status === "active" && (
                  <button type="button" disabled={revoke.isPending} onClick={() => revoke.mutate(token.id)} className="rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800">
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** API tokens for scripts: create one (the secret is shown once), list and revoke them. */
export function TokensPage() {
  const { data, error, isPending } = useTokens();
  const isAdmin = usePermissions().may("settings");
  const [created, setCreated] = useState<TokenCreatedDto | null>(null);
  return (
    <section>
      <h1 className="mb-1 text-xl font-semibold">API tokens</h1>
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
        For scripts and pipelines: send <code className="font-mono text-xs">Authorization: Bearer &lt;token&gt;</code> to the same API the console uses, with the same roles and audit.
        {isAdmin ? " As an admin you see everyone’s tokens." : ""}
      </p>
      {created && <NewSecret created={created} onDone={() => setCreated(null)} />}
      <NewTokenForm isAdmin={isAdmin} onCreated={setCreated} />
      {isPending && <div aria-busy="true" aria-label="Loading tokens" className="h-24 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />}
      {error && <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">Could not load tokens: {error.message}</p>}
      {data && <TokenRows tokens={data.tokens} />}
    </section>
  );
}
