// The overview table's rows: every broker's DLQs flattened, filtered and sorted. Pure, so tested
// without a browser.
import type { BrokerOverviewDto, DeadLetterQueueDto, QueuesResponse } from "@/lib/api/schemas/queues";

export interface OverviewRow {
  /** Unique across brokers: `${broker}/${queue id}`. */
  readonly key: string;
  readonly broker: Pick<BrokerOverviewDto, "name" | "kind" | "environment">;
  readonly queue: DeadLetterQueueDto;
}

export interface OverviewFilter {
  readonly text: string;
  readonly broker: string | null;
  readonly environment: string | null;
  readonly hideEmpty: boolean;
}

export type OverviewSortKey = "depth" | "queue" | "broker" | "oldest" | "change";
export interface OverviewSort {
  readonly key: OverviewSortKey;
  readonly direction: "asc" | "desc";
}

export const DEFAULT_FILTER: OverviewFilter = { text: "", broker: null, environment: null, hideEmpty: false };
export const DEFAULT_SORT: OverviewSort = { key: "depth", direction: "desc" };

/** Environment labels that mean production, shown in red. */
export function isProduction(environment: string | null): boolean {
  return !!environment && /^prod(uction)?$/i.test(environment);
}

function matchesText(row: OverviewRow, text: string): boolean {
  if (!text) return true;
  const haystack = [row.queue.name, row.broker.name, row.broker.kind, row.broker.environment ?? "", ...row.queue.sources.map((source) => source.name)]
    .join("\n")
    .toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

function compare(a: OverviewRow, b: OverviewRow, key: OverviewSortKey): number {
  switch (key) {
    case "depth":
      return a.queue.depth - b.queue.depth;
    case "queue":
      return a.queue.name.localeCompare(b.queue.name);
    case "broker":
      return a.broker.name.localeCompare(b.broker.name) || a.queue.name.localeCompare(b.queue.name);
    case "change": {
      // A queue with no trend yet counts as below every measured change.
      const change = (row: OverviewRow) => row.queue.trend?.change ?? null;
      const [left, right] = [change(a), change(b)];
      if (left === null || right === null) return left === right ? 0 : left === null ? -1 : 1;
      return left - right;
    }
    case "oldest": {
      // Oldest first when ascending; queues with no known age last either way.
      const at = (row: OverviewRow) => (row.queue.oldestMessageAt ? Date.parse(row.queue.oldestMessageAt) : Number.POSITIVE_INFINITY);
      return at(a) - at(b);
    }
  }
}

/** Flatten, filter and sort the overview; ties break on broker then queue name so rows never jump. */
export function overviewRows(data: QueuesResponse, filter: OverviewFilter, sort: OverviewSort): OverviewRow[] {
  const rows = data.brokers.flatMap((broker) =>
    broker.queues.map((queue) => ({
      key: `${broker.name}/${queue.id}`,
      broker: { name: broker.name, kind: broker.kind, environment: broker.environment },
      queue,
    })),
  );
  const sign = sort.direction === "asc" ? 1 : -1;
  return rows
    .filter((row) => !filter.broker || row.broker.name === filter.broker)
    .filter((row) => !filter.environment || row.broker.environment === filter.environment)
    .filter((row) => !filter.hideEmpty || row.queue.depth > 0)
    .filter((row) => matchesText(row, filter.text.trim()))
    .sort((a, b) => sign * compare(a, b, sort.key) || compare(a, b, "broker"));
}

/** Distinct environment labels, for the filter menu. */
export function environmentsOf(data: QueuesResponse): string[] {
  return [...new Set(data.brokers.map((broker) => broker.environment).filter((env): env is string => !!env))].sort();
}
