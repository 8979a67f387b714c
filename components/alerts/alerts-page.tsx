"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import type { AlertsResponse } from "@/lib/api/schemas/alerts";
import { formatCount, formatTime } from "@/lib/client/format";
import { queueHref } from "@/lib/client/links";
import { usePermissions } from "@/components/auth/use-permissions";
import { useAlerts, useCreateAlertRule, useDeleteAlertRule, type NewAlertRule } from "@/lib/client/queries/alerts";

const METRIC_LABEL: Record<NewAlertRule["metric"], string> = { depth: "depth above", age: "oldest message older than (s)", growth: "growth above" };
const input = "rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900";

function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span className="text-zinc-400">—</span>;
  const { local, utc } = formatTime(iso);
  return <time dateTime={iso} title={utc}>{local}</time>;
}

function NewRuleForm() {
  const create = useCreateAlertRule();
  const [rule, setRule] = useState<NewAlertRule>({ name: "", broker: "*", queue: "*", metric: "depth", threshold: 100, windowMinutes: 60, webhookUrl: "", format: "slack" });
  const set = <K extends keyof NewAlertRule>(key: K, value: NewAlertRule[K]) => setRule((current) => ({ ...current, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(rule, { onSuccess: () => setRule((current) => ({ ...current, name: "" })) });
  };
  return (
    <form onSubmit={submit} aria-label="New alert rule" className="mb-6 grid gap-2 rounded border border-zinc-200 bg-white p-3 text-sm sm:grid-cols-4 dark:border-zinc-800 dark:bg-zinc-900">
      <input required aria-label="Rule name" placeholder="Name (orders DLQ filling up)" value={rule.name} onChange={(event) => set("name", event.target.value)} className={`${input} sm:col-span-2`} />
      <input required aria-label="Broker glob" placeholder="Brokers (glob)" value={rule.broker} onChange={(event) => set("broker", event.target.value)} className={input} />
      <input required aria-label="Queue glob" placeholder="DLQs (glob)" value={rule.queue} onChange={(event) => set("queue", event.target.value)} className={input} />
      <select aria-label="Metric" value={rule.metric} onChange={(event) => set("metric", event.target.value as NewAlertRule["metric"])} className={input}>
        <option value="depth">Depth</option>
        <option value="age">Age of oldest</option>
        <option value="growth">Growth per window</option>
      </select>
      <label className="flex items-center gap-1">
        <span className="text-zinc-600 dark:text-zinc-400">{METRIC_LABEL[rule.metric]}</span>
        <input required type="number" min={0} aria-label="Threshold" value={rule.threshold} onChange={(event) => set("threshold", Number(event.target.value))} className={`${input} w-24`} />
      </label>
      {rule.metric === "growth" && (
        <label className="flex items-center gap-1">
          <span className="text-zinc-600 dark:text-zinc-400">in minutes</span>
          <input type="number" min={5} aria-label="Window minutes" value={rule.windowMinutes} onChange={(event) => set("windowMinutes", Number(event.target.value))} className={`${input} w-20`} />
        </label>
      )}
      <select aria-label="Webhook format" value={rule.format} onChange={(event) => set("format", event.target.value as NewAlertRule["format"])} className={input}>
        <option value="slack">Slack</option>
        <option value="teams">Microsoft Teams</option>
        <option value="generic">Generic JSON</option>
      </select>
      <input required type="url" aria-label="Webhook URL" placeholder="https://hooks.slack.com/services/…" value={rule.webhookUrl} onChange={(event) => set("webhookUrl", event.target.value)} className={`${input} sm:col-span-3`} />
      <button type="submit" disabled={create.isPending} className="rounded bg-sky-700 px-3 py-1 text-white hover:bg-sky-800 disabled:opacity-50">Add rule</button>
      <p className="text-xs text-zinc-500 sm:col-span-4">Fires once when the value goes above the threshold, resolves once it falls to 80 % of it (no flapping). The message links to the DLQ.</p>
      {create.error && <p role="alert" className="text-red-700 sm:col-span-4 dark:text-red-300">{create.error.message}</p>}
    </form>
  );
}

function Rules({ data, canEdit }: { data: AlertsResponse; canEdit: boolean }) {
  const remove = useDeleteAlertRule();
  if (data.rules.length === 0) return <p className="mb-6 rounded border border-dashed border-zinc-300 p-4 text-sm dark:border-zinc-700">No alert rules yet: every DLQ can fill up unnoticed. Add one above.</p>;
  return (
    <ul className="mb-6 space-y-2">
      {data.rules.map((rule) => {
        const states = data.states.filter((state) => state.ruleId === rule.id);
        const firing = states.filter((state) => state.firing);
        return (
          <li key={rule.id} data-testid="alert-rule" className="rounded border border-zinc-200 bg-white p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium">{rule.name}</span>
              <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${firing.length ? "bg-red-600 text-white" : "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300"}`}>
                {firing.length ? `firing on ${firing.length}` : "ok"}
              </span>
              <span className="font-mono text-xs text-zinc-500">
                {rule.broker} / {rule.queue} · {rule.metric} &gt; {formatCount(rule.threshold)} (resolves ≤ {formatCount(rule.resolveBelow)}) · {rule.format} → {rule.webhook}
              </span>
              {canEdit && <button type="button" onClick={() => remove.mutate(rule.id)} className="ml-auto rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">Delete</button>}
            </div>
            {firing.map((state) => (
              <p key={`${state.broker}/${state.queueId}`} className="mt-1 text-xs">
                <Link href={queueHref(state.broker, state.queueId)} className="font-mono text-sky-700 hover:underline dark:text-sky-400">{state.broker} / {state.queueId}</Link>{" "}
                at {formatCount(state.lastValue)} since <Time iso={state.since} />
              </p>
            ))}
          </li>
        );
      })}
    </ul>
  );
}

/** Alert rules on DLQs, what is firing, and every webhook delivery with its errors. */
export function AlertsPage() {
  const { data, error, isPending } = useAlerts();
  // Rules are console settings (admin); everyone who may view queues sees what fires.
  const canEdit = usePermissions().may("settings");
  return (
    <section>
      <h1 className="mb-4 text-xl font-semibold">Alerts</h1>
      {canEdit && <NewRuleForm />}
      {isPending && <div aria-busy="true" aria-label="Loading alerts" className="h-32 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />}
      {error && <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">Could not load alerts: {error.message}</p>}
      {data && (
        <>
          <Rules data={data} canEdit={canEdit} />
          <h2 className="mb-2 text-sm font-medium">Deliveries</h2>
          {data.deliveries.length === 0 ? (
            <p className="text-sm text-zinc-500">Nothing sent yet.</p>
          ) : (
            <table className="w-full rounded border border-zinc-200 bg-white text-sm dark:border-zinc-800 dark:bg-zinc-900">
              <thead className="text-left text-zinc-600 dark:text-zinc-400">
                <tr><th className="px-3 py-2">When</th><th className="px-3 py-2">Event</th><th className="px-3 py-2">DLQ</th><th className="px-3 py-2 text-right">Value</th><th className="px-3 py-2">Status</th><th className="px-3 py-2">Error</th></tr>
              </thead>
              <tbody>
                {data.deliveries.map((delivery) => (
                  <tr key={delivery.id} data-testid="alert-delivery" className="border-t border-zinc-100 dark:border-zinc-800">
                    <td className="px-3 py-1.5 text-xs"><Time iso={delivery.createdAt} /></td>
                    <td className="px-3 py-1.5">{delivery.event}</td>
                    <td className="px-3 py-1.5 font-mono text-xs">{delivery.broker} / {delivery.queueId}</td>
                    <td className="px-3 py-1.5 text-right tabular-nums">{formatCount(delivery.value)}</td>
                    <td className={`px-3 py-1.5 ${delivery.status === "failed" ? "font-medium text-red-700 dark:text-red-300" : ""}`}>
                      {delivery.status}{delivery.attempts > 1 ? ` (${delivery.attempts} attempts)` : ""}
                      {delivery.status === "pending" && delivery.attempts > 0 && <span className="text-xs text-zinc-500"> · next <Time iso={delivery.nextAttemptAt} /></span>}
                    </td>
                    <td className="px-3 py-1.5 text-xs text-red-700 dark:text-red-300">{delivery.lastError ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
