"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { formatCount } from "@/lib/client/format";
import { messageHref } from "@/lib/client/links";
import { DEFAULT_MESSAGE_FILTER, failureGroups, filterMessages } from "@/lib/client/message-rows";
import { useMessagePages } from "@/lib/client/queries/messages";
import { KeyboardHelp } from "@/components/ui/keyboard-help";
import { DepthChart } from "./depth-chart";
import { FailureGroups } from "./failure-groups";
import { IndexedQueue } from "./indexed-queue";
import { MessageTable } from "./message-table";
import { QueueOperations } from "@/components/operations/queue-operations";
import { useRowKeys } from "./use-row-keys";

type Mode = "live" | "index";

/** Brokers whose reads are side-effect free load pages on their own, up to this many messages. */
const AUTO_LOAD_LIMIT = 10_000;

const SIDE_EFFECT_TEXT: Record<string, string> = {
  "increments-receive-count": "increments each message's receive count",
  "hides-briefly": "hides messages from other readers for a moment",
  "counts-toward-delivery-limit": "counts toward the queue's delivery limit",
  "marks-redelivered": "marks messages as redelivered",
};

export function QueueView({ broker, queueId }: { broker: string; queueId: string }) {
  const router = useRouter();
  // Live by default, as the broker holds it; the index is there to search and group the whole DLQ.
  const [mode, setMode] = useState<Mode>("live");
  const pages = useMessagePages(broker, queueId);
  const [filter, setFilter] = useState(DEFAULT_MESSAGE_FILTER);
  const [selectedIndex, setSelectedIndex] = useState(-1);
  const searchRef = useRef<HTMLInputElement>(null);

  const firstPage = pages.data?.pages[0];
  const capabilities = firstPage?.broker.capabilities;
  const loaded = useMemo(() => pages.data?.pages.flatMap((page) => page.messages) ?? [], [pages.data]);
  const warnings = useMemo(() => [...new Set(pages.data?.pages.flatMap((page) => page.warnings) ?? [])], [pages.data]);
  const groups = useMemo(() => failureGroups(loaded), [loaded]);
  const visible = useMemo(() => filterMessages(loaded, filter), [loaded, filter]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;

  // Peek-capable brokers: keep reading to the end (bounded). Others: only when asked.
  useEffect(() => {
    if (capabilities?.truePeek && hasNextPage && !isFetchingNextPage && loaded.length < AUTO_LOAD_LIMIT) void fetchNextPage();
  }, [capabilities?.truePeek, hasNextPage, isFetchingNextPage, loaded.length, fetchNextPage]);

  const openRow = useCallback((index: number) => router.push(messageHref(broker, queueId, visible[index]!.id)), [router, broker, queueId, visible]);
  const clearFilter = useCallback(() => setFilter(DEFAULT_MESSAGE_FILTER), []);
  useRowKeys({ count: mode === "live" ? visible.length : 0, selectedIndex, setSelectedIndex, open: openRow, searchRef, onEscape: clearFilter });

  const sideEffects = capabilities && capabilities.browseSideEffects.length > 0 ? capabilities.browseSideEffects.map((effect) => SIDE_EFFECT_TEXT[effect] ?? effect).join(", ") : null;

  return (
    <section>
      <KeyboardHelp />
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500">
        <Link href="/" className="hover:underline">Queues</Link> / {broker} /
      </nav>
      <h1 className="mb-3 font-mono text-lg font-semibold break-all">{queueId}</h1>
      <QueueOperations broker={broker} queueId={queueId} shown={visible} />

      <DepthChart broker={broker} queueId={queueId} />

      <div role="tablist" aria-label="Where the messages come from" className="mb-3 flex gap-1 border-b border-zinc-200 text-sm dark:border-zinc-800">
        {(["index", "live"] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={mode === name}
            onClick={() => setMode(name)}
            className={`-mb-px border-b-2 px-3 py-1.5 ${mode === name ? "border-sky-600 font-medium" : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"}`}
          >
            {name === "index" ? "Whole DLQ (index)" : "Live from the broker"}
          </button>
        ))}
      </div>

      {mode === "index" && <IndexedQueue broker={broker} queueId={queueId} sideEffects={sideEffects} />}

      {mode === "live" && sideEffects && (
        <p className="mb-3 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200">
          This broker cannot peek: reading a page {sideEffects}. Pages load only when you ask.
        </p>
      )}
      {mode === "live" && warnings.map((warning) => (
        <p key={warning} role="alert" className="mb-3 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm dark:border-amber-900 dark:bg-amber-950">
          {warning}
        </p>
      ))}
      {mode === "live" && pages.error && (
        <p role="alert" className="mb-3 rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
          Could not read {broker} / {queueId}: {pages.error.message}
        </p>
      )}
      {mode === "live" && pages.isPending && <div aria-busy="true" aria-label="Loading messages" className="h-64 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />}

      {mode === "live" && firstPage && (
        <div className="grid gap-4 lg:grid-cols-[18rem_1fr]">
          <FailureGroups groups={groups} total={loaded.length} selected={filter.group} onSelect={(group) => setFilter({ ...filter, group })} />
          <div>
            <div className="mb-2 flex flex-wrap items-center gap-3 text-sm">
              <input
                ref={searchRef}
                type="search"
                aria-label="Search messages"
                placeholder="Search ids, reasons, payloads  ( / )"
                value={filter.text}
                onChange={(event) => setFilter({ ...filter, text: event.target.value })}
                className="w-80 rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
              />
              <span data-testid="message-count" className="text-zinc-600 dark:text-zinc-400">
                {formatCount(visible.length)} shown · {formatCount(loaded.length)} loaded{hasNextPage ? " · more in the queue" : ""}
              </span>
              {hasNextPage && (
                <button type="button" disabled={isFetchingNextPage} onClick={() => void fetchNextPage()} className="rounded border border-zinc-300 px-2 py-0.5 hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800">
                  {isFetchingNextPage ? "Loading…" : "Load next page"}
                </button>
              )}
              <span className="ml-auto text-xs text-zinc-500">Press ? for shortcuts</span>
            </div>
            {loaded.length === 0 ? (
              <p className="rounded border border-dashed border-zinc-300 p-6 text-sm dark:border-zinc-700">This dead-letter queue is empty. Nothing to triage.</p>
            ) : (
              <MessageTable messages={visible} selectedIndex={selectedIndex} onSelect={setSelectedIndex} hrefOf={(message) => messageHref(broker, queueId, message.id)} />
            )}
          </div>
        </div>
      )}
    </section>
  );
}
