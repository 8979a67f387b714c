"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useEffect, useRef } from "react";
import type { MessageSummaryDto } from "@/lib/api/schemas/messages";
import { formatCount, formatTime } from "@/lib/client/format";

interface Props {
  readonly messages: readonly MessageSummaryDto[];
  readonly selectedIndex: number;
  hrefOf(message: MessageSummaryDto): string;
  onSelect(index: number): void;
}

const ROW_HEIGHT = 36;
const COLUMNS = "grid grid-cols-[minmax(10rem,1.2fr)_10rem_minmax(10rem,1.5fr)_5rem_minmax(6rem,0.8fr)_6rem_5rem_minmax(10rem,2fr)] gap-3";

function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span className="text-zinc-400">—</span>;
  const { local, utc } = formatTime(iso);
  return <time dateTime={iso} title={utc}>{local}</time>;
}

/** The DLQ's messages as a virtualized table: only the rows on screen are in the DOM, so 10k+ stay smooth. */
export function MessageTable({ messages, selectedIndex, hrefOf, onSelect }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The virtualizer hands back functions by design; nothing here is memoised by the React compiler.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });

  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: "auto" });
  }, [selectedIndex, virtualizer]);

  return (
    <div role="table" aria-label="Messages" aria-rowcount={messages.length} className="rounded border border-zinc-200 bg-white text-sm dark:border-zinc-800 dark:bg-zinc-900">
      <div role="row" className={`${COLUMNS} border-b border-zinc-200 bg-zinc-50 px-3 py-2 font-medium text-zinc-600 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-400`}>
        <span role="columnheader">Message id</span>
        <span role="columnheader">Enqueued</span>
        <span role="columnheader">Reason</span>
        <span role="columnheader" className="text-right">Attempts</span>
        <span role="columnheader">Source</span>
        <span role="columnheader">Key</span>
        <span role="columnheader" className="text-right">Size</span>
        <span role="columnheader">Payload</span>
      </div>
      <div ref={scrollRef} className="h-[60vh] overflow-auto" data-testid="message-scroller">
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const message = messages[item.index]!;
            const selected = item.index === selectedIndex;
            return (
              <div
                key={message.id}
                role="row"
                aria-rowindex={item.index + 1}
                aria-selected={selected}
                data-testid="message-row"
                onClick={() => onSelect(item.index)}
                style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                className={`${COLUMNS} cursor-pointer items-center border-b border-zinc-100 px-3 dark:border-zinc-800 ${
                  selected ? "bg-sky-50 ring-1 ring-sky-400 ring-inset dark:bg-sky-950" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/50"
                }`}
              >
                <Link role="cell" href={hrefOf(message)} className="truncate font-mono text-xs text-sky-700 hover:underline dark:text-sky-400" title={message.messageId ?? message.id}>
                  {message.messageId ?? message.id}
                </Link>
                <span role="cell" className="truncate text-xs"><Time iso={message.enqueuedAt} /></span>
                <span role="cell" className="truncate" title={[message.reason, message.description].filter(Boolean).join(": ")}>
                  {message.reason ?? <span className="text-zinc-400">—</span>}
                  {message.description && <span className="text-zinc-500"> · {message.description}</span>}
                </span>
                <span role="cell" className="text-right tabular-nums">
                  {message.attempts.count ?? "—"}
                  {message.attempts.cap !== null && <span className="text-zinc-400">/{message.attempts.cap}</span>}
                </span>
                <span role="cell" className="truncate font-mono text-xs">{message.source?.name ?? "—"}</span>
                <span role="cell" className="truncate font-mono text-xs">{message.partitionKey ?? ""}</span>
                <span role="cell" className="text-right tabular-nums text-xs">{formatCount(message.size)} B</span>
                <span role="cell" className="truncate font-mono text-xs text-zinc-500">{message.preview ?? "(binary)"}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
