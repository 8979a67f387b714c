"use client";
// The sign-in form: single sign-on (redirect to the IdP) and/or a local account. Talks to
// better-auth's JSON endpoints with fetch, then navigates; no script is ever inlined.
import { useState, type FormEvent } from "react";

interface SignInFormProps {
  /** The OIDC button's label, or null when no issuer is configured. */
  readonly oidcName: string | null;
  readonly localAccounts: boolean;
  /** Same-origin path to go to after signing in. */
  readonly next: string;
}

async function postJson(path: string, body: unknown): Promise<{ ok: boolean; status: number; data: Record<string, unknown> | null }> {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "same-origin" });
  const data = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  return { ok: response.ok, status: response.status, data };
}

function messageOf(status: number, data: Record<string, unknown> | null): string {
  if (status === 429) return "Too many sign-in attempts. Wait a minute and try again.";
  if (status === 401) return "Wrong email or password.";
  return typeof data?.message === "string" ? data.message : `Sign-in failed (${status}).`;
}

export function SignInForm({ oidcName, localAccounts, next }: SignInFormProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function signInWithOidc() {
    setBusy(true);
    setError(null);
    const result = await postJson("/api/auth/sign-in/social", { provider: "oidc", callbackURL: next, errorCallbackURL: "/signin?error=sso" });
    const url = typeof result.data?.url === "string" ? result.data.url : null;
    if (result.ok && url) {
      window.location.assign(url);
      return;
    }
    setBusy(false);
    setError(messageOf(result.status, result.data));
  }

  async function signInWithPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await postJson("/api/auth/sign-in/email", { email: String(form.get("email") ?? ""), password: String(form.get("password") ?? ""), rememberMe: false });
    if (result.ok) {
      window.location.assign(next);
      return;
    }
    setBusy(false);
    setError(messageOf(result.status, result.data));
  }

  return (
    <div className="space-y-6">
      {error ? (
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          {error}
        </p>
      ) : null}
      {oidcName ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => void signInWithOidc()}
          className="w-full rounded bg-zinc-900 px-4 py-2 text-sm font-medium text-white hover:bg-zinc-700 disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900"
        >
          Sign in with {oidcName}
        </button>
      ) : null}
      {localAccounts ? (
        <form onSubmit={(event) => void signInWithPassword(event)} className="space-y-3" aria-label="Local account">
          <label className="block text-sm">
            <span className="text-zinc-600 dark:text-zinc-400">Email</span>
            <input name="email" type="email" required autoComplete="username" className="mt-1 w-full rounded border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900" />
          </label>
          <label className="block text-sm">
            <span className="text-zinc-600 dark:text-zinc-400">Password</span>
            <input name="password" type="password" required autoComplete="current-password" className="mt-1 w-full rounded border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900" />
          </label>
          <button type="submit" disabled={busy} className="w-full rounded border border-zinc-300 px-4 py-2 text-sm font-medium hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800">
            Sign in
          </button>
        </form>
      ) : null}
    </div>
  );
}
