"use client";

import type { OverviewRow, OverviewSort, OverviewSortKey } from "@/lib/client/overview-rows";
import Link from "next/link";
import { formatCount, formatDuration } from "@/lib/client/format";
import { queueHref } from "@/lib/client/links";
import { BrokerKindBadge, EnvironmentBadge } from "./broker-badge";
import { DepthSparkline } from "./depth-sparkline";

interface Props {
  readonly rows: readonly OverviewRow[];
  readonly sort: OverviewSort;
  readonly now: number;
  onSort(key: OverviewSortKey): void;
}

function SortHeader({ label, sortKey, sort, onSort, align = "left" }: { label: string; sortKey: OverviewSortKey; sort: OverviewSort; onSort(key: OverviewSortKey): void; align?: "left" | "right" }) {
  const active = sort.key === sortKey;
  return (
    <th scope="col" aria-sort={active ? (sort.direction === "asc" ? "ascending" : "descending") : "none"} className={`px-3 py-2 font-medium text-${align}`}>
      <button type="button" onClick={() => onSort(sortKey)} className="hover:underline">
        {label}
        {active ? (sort.direction === "asc" ? " ▲" : " ▼") : ""}
      </button>
    </th>
  );
}

export function OverviewTable({ rows, sort, now, onSort }: Props) {
  return (
    <div className="overflow-x-auto rounded border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <table className="w-full text-sm">
        <thead className="border-b border-zinc-200 bg-zinc-50 text-zinc-600 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-400">
          <tr>
            <SortHeader label="Broker" sortKey="broker" sort={sort} onSort={onSort} />
            <SortHeader label="Dead-letter queue" sortKey="queue" sort={sort} onSort={onSort} />
            <SortHeader label="Depth" sortKey="depth" sort={sort} onSort={onSort} align="right" />
            <SortHeader label="Last hour" sortKey="change" sort={sort} onSort={onSort} align="right" />
            <SortHeader label="Oldest" sortKey="oldest" sort={sort} onSort={onSort} align="right" />
            <th scope="col" className="px-3 py-2 text-left font-medium">Sources</th>
            <th scope="col" className="px-3 py-2 text-left font-medium" title="The largest failure group in the console's index of the DLQ">Top failure</th>
            <th scope="col" className="px-3 py-2 text-right font-medium" title="Deliveries before a message is dead-lettered">Cap</th>
            <th scope="col" className="px-3 py-2 text-right font-medium" title="Consumers attached to the DLQ">Consumers</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ key, broker, queue }) => (
            <tr key={key} data-testid="dlq-row" className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
              <td className="px-3 py-2 whitespace-nowrap">
                <div className="flex items-center gap-1.5">
                  <BrokerKindBadge kind={broker.kind} />
                  <span>{broker.name}</span>
                  <EnvironmentBadge environment={broker.environment} />
                </div>
              </td>
              <td className="px-3 py-2 font-mono text-xs break-all" data-testid="dlq-name">
                <Link href={queueHref(broker.name, queue.id)} className="text-sky-700 hover:underline dark:text-sky-400">
                  {queue.name}
                </Link>
                {queue.ordered && <span className="ml-1.5 rounded bg-violet-100 px-1 text-[10px] font-sans text-violet-800 dark:bg-violet-950 dark:text-violet-300">ordered</span>}
              </td>
              <td className={`px-3 py-2 text-right tabular-nums ${queue.depth > 0 ? "font-semibold" : "text-zinc-400"}`} data-testid="dlq-depth">
                {formatCount(queue.depth)}
              </td>
              <td className="px-3 py-2 text-right whitespace-nowrap">
                <DepthSparkline trend={queue.trend} />
              </td>
              <td className="px-3 py-2 text-right whitespace-nowrap text-zinc-600 dark:text-zinc-400">
                {queue.oldestMessageAt ? formatDuration((now - Date.parse(queue.oldestMessageAt)) / 1_000) : "—"}
              </td>
              <td className="px-3 py-2 font-mono text-xs text-zinc-600 dark:text-zinc-400">
                {queue.sources.map((source) => source.name).join(", ") || "—"}
              </td>
              <td className="max-w-64 px-3 py-2 text-xs" data-testid="dlq-top-failure">
                {queue.topFailure ? (
                  <span title={`${formatCount(queue.topFailure.count)} of ${formatCount(queue.topFailure.indexed)} indexed messages`} className="line-clamp-2 font-mono break-all">
                    {queue.topFailure.label} <span className="font-sans text-zinc-500">({formatCount(queue.topFailure.count)})</span>
                  </span>
                ) : (
                  <span className="text-zinc-400" title="Open the queue and index it to see its failures here">—</span>
                )}
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{queue.maxDeliveryCount ?? "—"}</td>
              <td className={`px-3 py-2 text-right tabular-nums ${queue.consumers ? "font-semibold text-amber-700 dark:text-amber-400" : ""}`}>
                {queue.consumers ?? "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
