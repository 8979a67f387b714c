"use client";

import { Fragment, useState } from "react";
import type { AuditEntryDto } from "@/lib/api/schemas/audit";
import { formatTime } from "@/lib/client/format";

/** A short line of what the row's outcome says. */
function outcomeSummary(entry: AuditEntryDto): string {
  const outcome = entry.outcome as { status?: string; refused?: string; message?: string; outcomes?: Array<{ status: string }>; archived?: unknown[] } | null;
  if (!outcome || typeof outcome !== "object") return "";
  if (outcome.refused) return `refused (${outcome.refused}): ${outcome.message ?? ""}`;
  if (Array.isArray(outcome.archived)) return `${outcome.archived.length} archived`;
  const counts = new Map<string, number>();
  for (const line of outcome.outcomes ?? []) counts.set(line.status, (counts.get(line.status) ?? 0) + 1);
  const perMessage = [...counts].map(([status, count]) => `${count} ${status}`).join(", ");
  return [outcome.status, perMessage].filter(Boolean).join(" · ");
}

/** The audit rows, newest first; a row opens to show its request and outcome as text. */
export function AuditTable({ entries, highlight }: { entries: readonly AuditEntryDto[]; highlight?: string | null }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <table aria-label="Audit log" className="w-full rounded border border-zinc-200 bg-white text-sm dark:border-zinc-800 dark:bg-zinc-900">
      <thead className="bg-zinc-50 text-left text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
        <tr>
          <th className="px-2 py-1">#</th><th className="px-2 py-1">When</th><th className="px-2 py-1">Actor</th><th className="px-2 py-1">Action</th>
          <th className="px-2 py-1">Broker / queue</th><th className="px-2 py-1">Messages</th><th className="px-2 py-1">Outcome</th><th className="px-2 py-1">Client</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <Fragment key={entry.id}>
            <tr
              data-testid="audit-row"
              onClick={() => setOpen(open === entry.id ? null : entry.id)}
              className={`cursor-pointer border-t border-zinc-100 align-top dark:border-zinc-800 ${highlight === entry.id ? "bg-red-100 dark:bg-red-950" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/50"}`}
            >
              <td className="px-2 py-1 font-mono text-xs">{entry.id}</td>
              <td className="px-2 py-1 text-xs whitespace-nowrap" title={formatTime(entry.at).utc}>{formatTime(entry.at).local}</td>
              <td className="px-2 py-1">
                <span data-testid="audit-actor">{entry.actor}</span>
                {entry.via && <span data-testid="audit-via" className="block font-mono text-xs text-zinc-500">via {entry.via}</span>}
              </td>
              <td className="px-2 py-1 font-mono text-xs" data-testid="audit-action">{entry.action}</td>
              <td className="px-2 py-1 font-mono text-xs break-all">{entry.broker ? `${entry.broker} / ${entry.queueId ?? ""}` : "—"}</td>
              <td className="max-w-48 truncate px-2 py-1 font-mono text-xs" title={entry.messageIds.join(" ")}>{entry.messageIds.join(", ")}</td>
              <td className="px-2 py-1 text-xs">{outcomeSummary(entry)}</td>
              <td className="px-2 py-1 text-xs text-zinc-500" title={entry.userAgent ?? ""}>{entry.clientIp ?? "—"}</td>
            </tr>
            {open === entry.id && (
              <tr className="bg-zinc-50 dark:bg-zinc-950">
                <td colSpan={8} className="px-2 py-2">
                  <pre className="max-h-96 overflow-auto font-mono text-xs whitespace-pre-wrap break-all">
                    {JSON.stringify({ operationId: entry.operationId, request: entry.request, outcome: entry.outcome, userAgent: entry.userAgent, previousHash: entry.previousHash, hash: entry.hash }, null, 2)}
                  </pre>
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
