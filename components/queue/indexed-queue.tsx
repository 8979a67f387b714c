"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { IndexStateDto } from "@/lib/api/schemas/message-index";
import { formatCount, formatDuration, formatTime } from "@/lib/client/format";
import { messageHref } from "@/lib/client/links";
import { useIndexPages, useRefreshIndex, type IndexFilterInput } from "@/lib/client/queries/message-index";
import { useSecondsSince } from "@/components/ui/use-seconds-since";
import { BulkReplayButton } from "@/components/jobs/bulk-replay-button";
import { FailureGroups } from "./failure-groups";
import { MessageTable } from "./message-table";
import { useRowKeys } from "./use-row-keys";

const NO_FILTER: IndexFilterInput = { text: "", group: null, from: null, to: null };
/** Typing pauses this long before the search goes to the server. */
const SEARCH_DEBOUNCE_MS = 250;

/** A datetime-local input's value as an ISO time (the user's zone), or null when empty. */
function localToIso(value: string): string | null {
  if (!value) return null;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

function Freshness({ state, total, onRefresh, refreshing }: { state: IndexStateDto; total: number; onRefresh(): void; refreshing: boolean }) {
  const finished = state.finishedAt ? formatTime(state.finishedAt) : null;
  const seconds = useSecondsSince(state.finishedAt ? Date.parse(state.finishedAt) : null);
  const age = seconds === null ? null : formatDuration(seconds);
  const tone =
    state.status === "failed"
      ? "border-red-300 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
      : "border-zinc-200 bg-white text-zinc-700 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-300";
  return (
    <div role={state.status === "failed" ? "alert" : "status"} data-testid="index-freshness" className={`mb-3 flex flex-wrap items-center gap-3 rounded border px-3 py-2 text-sm ${tone}`}>
      {state.status === "running" ? (
        <span>Indexing the whole DLQ… {formatCount(state.indexed)} messages so far</span>
      ) : state.status === "failed" ? (
        <span>
          The last refresh stopped after {formatCount(state.indexed)} messages: {state.error}. The index may miss messages or list some that are gone.
        </span>
      ) : (
        <span>
          Index of {formatCount(total)} messages, refreshed{" "}
          <span title={finished?.utc}>{age} ago</span>. Actions always re-check the broker.
        </span>
      )}
      <button
        type="button"
        onClick={onRefresh}
        disabled={refreshing || state.status === "running"}
        className="ml-auto rounded border border-zinc-300 px-2 py-0.5 hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
      >
        {state.status === "running" ? "Refreshing…" : "Refresh index"}
      </button>
    </div>
  );
}

/** The whole DLQ from the console's index in Postgres: server-side search, time range and failure groups. */
export function IndexedQueue({ broker, queueId, sideEffects }: { broker: string; queueId: string; sideEffects: string | null }) {
  const router = useRouter();
  const [filter, setFilter] = useState(NO_FILTER);
  const [typed, setTyped] = useState("");
  const [selectedIndex, setSelectedIndex] = useState(-1);
  const searchRef = useRef<HTMLInputElement>(null);
  const pages = useIndexPages(broker, queueId, filter);
  const refresh = useRefreshIndex(broker, queueId);

  useEffect(() => {
    const timer = setTimeout(() => setFilter((current) => (current.text === typed ? current : { ...current, text: typed })), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  const first = pages.data?.pages[0];
  const rows = useMemo(() => pages.data?.pages.flatMap((page) => page.messages) ?? [], [pages.data]);
  const open = useCallback((index: number) => router.push(messageHref(broker, queueId, rows[index]!.id)), [router, broker, queueId, rows]);
  const clear = useCallback(() => {
    setTyped("");
    setFilter(NO_FILTER);
  }, []);
  useRowKeys({ count: rows.length, selectedIndex, setSelectedIndex, open, searchRef, onEscape: clear });

  if (pages.error) {
    return (
      <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
        Could not read the index of {broker} / {queueId}: {pages.error.message}
      </p>
    );
  }
  if (!first) return <div aria-busy="true" aria-label="Loading the index" className="h-64 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />;

  const neverIndexed = first.state.status === "idle" && first.state.finishedAt === null;
  if (neverIndexed) {
    return (
      <div className="rounded border border-dashed border-zinc-300 p-6 text-sm dark:border-zinc-700">
        <p className="mb-3">
          This DLQ has no index yet. Indexing reads every message once and keeps its metadata and the start of its payload in the
          console&apos;s database, so you can search, filter and group the whole DLQ{sideEffects ? `; on this broker the read ${sideEffects}` : ""}.
        </p>
        <button type="button" onClick={() => refresh.mutate()} disabled={refresh.isPending} className="rounded bg-sky-700 px-3 py-1 text-white hover:bg-sky-800 disabled:opacity-50">
          Index this DLQ
        </button>
        {refresh.error && <p role="alert" className="mt-2 text-red-700 dark:text-red-300">{refresh.error.message}</p>}
      </div>
    );
  }

  return (
    <div>
      <Freshness state={first.state} total={first.total} onRefresh={() => refresh.mutate()} refreshing={refresh.isPending} />
      <div className="grid gap-4 lg:grid-cols-[18rem_1fr]">
        <FailureGroups groups={first.groups} total={first.groups.reduce((sum, group) => sum + group.count, 0)} selected={filter.group} onSelect={(group) => setFilter({ ...filter, group })} />
        <div>
          <div className="mb-2 flex flex-wrap items-center gap-3 text-sm">
            <BulkReplayButton broker={broker} queueId={queueId} filter={filter} />
            <input
              ref={searchRef}
              type="search"
              aria-label="Search messages"
              placeholder="Search the whole DLQ: ids, reasons, headers, payloads  ( / )"
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              className="w-96 rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
            />
            <label className="flex items-center gap-1 text-zinc-600 dark:text-zinc-400">
              from
              <input type="datetime-local" aria-label="Dead-lettered from" onChange={(event) => setFilter({ ...filter, from: localToIso(event.target.value) })} className="rounded border border-zinc-300 bg-white px-1 py-0.5 dark:border-zinc-700 dark:bg-zinc-900" />
            </label>
            <label className="flex items-center gap-1 text-zinc-600 dark:text-zinc-400">
              to
              <input type="datetime-local" aria-label="Dead-lettered before" onChange={(event) => setFilter({ ...filter, to: localToIso(event.target.value) })} className="rounded border border-zinc-300 bg-white px-1 py-0.5 dark:border-zinc-700 dark:bg-zinc-900" />
            </label>
            <span data-testid="message-count" className="text-zinc-600 dark:text-zinc-400">
              {formatCount(first.total)} matching · {formatCount(rows.length)} shown
            </span>
            {pages.hasNextPage && (
              <button type="button" disabled={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()} className="rounded border border-zinc-300 px-2 py-0.5 hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800">
                {pages.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            )}
          </div>
          {rows.length === 0 ? (
            <p className="rounded border border-dashed border-zinc-300 p-6 text-sm dark:border-zinc-700">
              {first.total === 0 && !filter.text && !filter.group && !filter.from && !filter.to ? "The index holds no messages: the DLQ was empty when it was read." : "No indexed message matches these filters."}
            </p>
          ) : (
            <MessageTable messages={rows} selectedIndex={selectedIndex} onSelect={setSelectedIndex} hrefOf={(message) => messageHref(broker, queueId, message.id)} />
          )}
        </div>
      </div>
    </div>
  );
}
