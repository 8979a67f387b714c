"use client";

import Link from "next/link";
import { useState } from "react";
import type { FindingDto, HygieneResponse } from "@/lib/api/schemas/hygiene";
import { formatCount, formatTime } from "@/lib/client/format";
import { queueHref } from "@/lib/client/links";
import { useHygiene, useMuteFinding } from "@/lib/client/queries/hygiene";
import { usePermissions } from "@/components/auth/use-permissions";
import { BrokerKindBadge, EnvironmentBadge } from "@/components/overview/broker-badge";

const SEVERITY_STYLE: Record<FindingDto["severity"], string> = {
  high: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  medium: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  low: "bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
};

type Broker = HygieneResponse["brokers"][number];
const SEVERITY_ORDER: readonly FindingDto["severity"][] = ["high", "medium", "low"];

function FindingRow({ broker, finding }: { broker: Broker; finding: FindingDto }) {
  const mute = useMuteFinding();
  const [reason, setReason] = useState("");
  const [muting, setMuting] = useState(false);
  const { may } = usePermissions();
  const isDlq = finding.code.startsWith("dlq-");
  return (
    <li data-testid="finding" data-code={finding.code} className={`rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900 ${finding.mute ? "opacity-60" : ""}`}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className={`rounded px-1.5 py-0.5 text-xs font-medium uppercase ${SEVERITY_STYLE[finding.severity]}`}>{finding.severity}</span>
        {isDlq ? (
          <Link href={queueHref(broker.name, finding.queue.id)} className="font-mono text-xs text-sky-700 hover:underline dark:text-sky-400">{finding.queue.name}</Link>
        ) : (
          <span className="font-mono text-xs">{finding.queue.name}</span>
        )}
        <span className="font-mono text-xs text-zinc-500">{finding.code}</span>
        <span className="ml-auto">
          {!may("settings", broker.name) ? null : finding.mute ? (
            <button type="button" disabled={mute.isPending} onClick={() => mute.mutate({ broker: broker.name, finding, reason: null })} className="rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
              Unmute
            </button>
          ) : (
            <button type="button" onClick={() => setMuting(!muting)} className="rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
              Mute…
            </button>
          )}
        </span>
      </div>
      <p className="mt-1 text-sm">{finding.problem}</p>
      {finding.fix && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400"><span className="font-medium">Fix:</span> {finding.fix}</p>}
      {finding.mute && (
        <p className="mt-1 text-xs text-zinc-500">
          Muted by {finding.mute.mutedBy} <span title={formatTime(finding.mute.mutedAt).utc}>{formatTime(finding.mute.mutedAt).local}</span>: {finding.mute.reason}
        </p>
      )}
      {muting && !finding.mute && (
        <form
          className="mt-2 flex gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            mute.mutate({ broker: broker.name, finding, reason }, { onSuccess: () => setMuting(false) });
          }}
        >
          <input aria-label="Why mute this finding" required minLength={3} value={reason} onChange={(event) => setReason(event.target.value)} placeholder="Why (recorded in the audit log)" className="flex-1 rounded border border-zinc-300 bg-white px-2 py-0.5 text-sm dark:border-zinc-700 dark:bg-zinc-900" />
          <button type="submit" disabled={mute.isPending} className="rounded bg-zinc-800 px-2 py-0.5 text-sm text-white hover:bg-zinc-700 disabled:opacity-50">Mute</button>
        </form>
      )}
      {mute.error && <p role="alert" className="mt-1 text-sm text-red-700 dark:text-red-300">{mute.error.message}</p>}
    </li>
  );
}

/** Every broker's queue configuration mistakes, each explained with its fix. */
export function HygieneReport() {
  const { data, error, isPending } = useHygiene();
  const [showMuted, setShowMuted] = useState(false);
  const open = data?.brokers.reduce((sum, broker) => sum + broker.findings.filter((finding) => !finding.mute).length, 0) ?? 0;
  return (
    <section>
      <div className="mb-4 flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Queue hygiene</h1>
        {data && (
          <div className="flex items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
            <span data-testid="hygiene-summary">{formatCount(open)} open findings</span>
            <label className="flex items-center gap-1">
              <input type="checkbox" checked={showMuted} onChange={(event) => setShowMuted(event.target.checked)} /> Show muted
            </label>
          </div>
        )}
      </div>
      {isPending && <div aria-busy="true" aria-label="Checking queues" className="h-40 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />}
      {error && <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">Could not check queues: {error.message}</p>}
      <div className="space-y-6">
        {data?.brokers.map((broker) => {
          const shown = broker.findings.filter((finding) => showMuted || !finding.mute).sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
          return (
            <section key={broker.name} aria-label={`Hygiene of ${broker.name}`}>
              <h2 className="mb-2 flex items-center gap-2 text-sm font-medium">
                <BrokerKindBadge kind={broker.kind} /> {broker.name} <EnvironmentBadge environment={broker.environment} />
                <span className="font-normal text-zinc-500">{broker.status === "ok" ? `${formatCount(broker.checked)} queues checked` : ""}</span>
              </h2>
              {broker.status === "down" && <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">Could not read {broker.name}: {broker.error}</p>}
              {broker.status === "unsupported" && <p className="text-sm text-zinc-500">This broker&apos;s adapter cannot list queue settings yet.</p>}
              {broker.status === "ok" && shown.length === 0 && <p className="text-sm text-emerald-700 dark:text-emerald-400">No findings{broker.findings.length ? " (all muted)" : ""}.</p>}
              <ul className="space-y-2">
                {shown.map((finding) => (
                  <FindingRow key={`${finding.queue.id}/${finding.code}`} broker={broker} finding={finding} />
                ))}
              </ul>
            </section>
          );
        })}
      </div>
    </section>
  );
}
