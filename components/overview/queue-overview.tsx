"use client";

import { useMemo, useState } from "react";
import { formatCount } from "@/lib/client/format";
import { DEFAULT_FILTER, DEFAULT_SORT, environmentsOf, overviewRows, type OverviewSort, type OverviewSortKey } from "@/lib/client/overview-rows";
import { useQueues } from "@/lib/client/queries/queues";
import { BrokerStatus } from "./broker-status";
import { OverviewFilters } from "./overview-filters";
import { OverviewTable } from "./overview-table";
import { useSecondsSince } from "@/components/ui/use-seconds-since";

function nextSort(current: OverviewSort, key: OverviewSortKey): OverviewSort {
  if (current.key === key) return { key, direction: current.direction === "asc" ? "desc" : "asc" };
  return { key, direction: key === "depth" ? "desc" : "asc" };
}

function OverviewSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading queues" className="space-y-2">
      {Array.from({ length: 5 }, (_, index) => (
        <div key={index} className="h-9 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
      ))}
    </div>
  );
}

/** The home page: every DLQ of every broker in one table, refreshed live. */
export function QueueOverview() {
  const { data, error, isPending, isFetching, dataUpdatedAt, refetch } = useQueues();
  const [filter, setFilter] = useState(DEFAULT_FILTER);
  const [sort, setSort] = useState(DEFAULT_SORT);
  const secondsAgo = useSecondsSince(dataUpdatedAt || null);

  const rows = useMemo(() => (data ? overviewRows(data, filter, sort) : []), [data, filter, sort]);
  const totalMessages = rows.reduce((sum, row) => sum + row.queue.depth, 0);

  return (
    <section>
      <div className="mb-4 flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Dead-letter queues</h1>
        <div className="flex items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
          {data && (
            <span data-testid="overview-summary">
              {formatCount(rows.length)} queues · {formatCount(totalMessages)} messages
            </span>
          )}
          {secondsAgo !== null && <span aria-live="polite">updated {secondsAgo} s ago{isFetching ? " · refreshing…" : ""}</span>}
          <button type="button" onClick={() => void refetch()} className="rounded border border-zinc-300 px-2 py-0.5 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
            Refresh
          </button>
        </div>
      </div>

      {error && (
        <p role="alert" className="mb-4 rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
          Could not load queues: {error.message}
          {data ? " (showing the last answer)" : ""}
        </p>
      )}

      {isPending && <OverviewSkeleton />}

      {data && (
        <>
          <BrokerStatus brokers={data.brokers} />
          <OverviewFilters
            filter={filter}
            brokers={data.brokers.map((broker) => broker.name)}
            environments={environmentsOf(data)}
            onChange={setFilter}
          />
          {data.brokers.length === 0 ? (
            <p className="rounded border border-dashed border-zinc-300 p-6 text-sm dark:border-zinc-700">
              No brokers are configured. Point <code>BROKERS_FILE</code> at a brokers file (see the README), or start with no
              configuration to get the sandbox brokers.
            </p>
          ) : rows.length === 0 ? (
            <p className="rounded border border-dashed border-zinc-300 p-6 text-sm dark:border-zinc-700">
              No dead-letter queue matches these filters.
            </p>
          ) : (
            <OverviewTable rows={rows} sort={sort} now={dataUpdatedAt} onSort={(key) => setSort((current) => nextSort(current, key))} />
          )}
        </>
      )}
    </section>
  );
}
