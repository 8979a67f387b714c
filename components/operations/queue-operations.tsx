"use client";

import { useMemo, useState } from "react";
import type { MessageSummaryDto } from "@/lib/api/schemas/messages";
import { formatCount } from "@/lib/client/format";
import { ArchivesPanel } from "./archives-panel";
import { buttonClass, dangerButtonClass } from "./dialog";
import { PurgeDialog } from "./purge-dialog";
import { ReplayDialog } from "./replay-dialog";
import { usePermissions } from "@/components/auth/use-permissions";

type Open = "replay" | "purge" | "purge-all" | null;

/** The most messages one replay or purge request names (the API's limit); more is a bulk job. */
const MAX_SELECTED = 500;
/** Rows the picker renders; filter the table to reach the others. */
const PICKER_ROWS = 1000;

/** The queue page's operations: pick messages (of those shown) to replay or purge, purge all, and the archive. */
export function QueueOperations({ broker, queueId, shown }: { broker: string; queueId: string; shown: readonly MessageSummaryDto[] }) {
  const [picking, setPicking] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [open, setOpen] = useState<Open>(null);
  const [archives, setArchives] = useState(false);
  const { may } = usePermissions();
  // Only what is still shown stays selected (the filter or a refresh may drop rows).
  const ids = useMemo(() => shown.map((message) => message.id).filter((id) => selected.has(id)), [shown, selected]);
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const done = () => setSelected(new Set());
  const tooMany = ids.length > MAX_SELECTED;

  return (
    <section aria-label="Queue operations" className="mb-3 space-y-2">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <button type="button" className={buttonClass} aria-pressed={picking} onClick={() => setPicking(!picking)}>
          {picking ? "Done selecting" : "Select messages"}
        </button>
        <span data-testid="selected-count" className="text-zinc-600 dark:text-zinc-400">{formatCount(ids.length)} selected</span>
        {may("messages.replay", broker) && <button type="button" className={buttonClass} disabled={ids.length === 0 || tooMany} onClick={() => setOpen("replay")}>Replay selected</button>}
        {may("messages.purge", broker) && <button type="button" className={dangerButtonClass} disabled={ids.length === 0 || tooMany} onClick={() => setOpen("purge")}>Purge selected</button>}
        {may("messages.purge", broker) && <button type="button" className={dangerButtonClass} onClick={() => setOpen("purge-all")}>Purge all…</button>}
        {tooMany && <span role="alert" className="text-amber-800 dark:text-amber-300">At most {MAX_SELECTED} per operation: narrow the filter</span>}
        <button type="button" className={`${buttonClass} ml-auto`} aria-expanded={archives} onClick={() => setArchives(!archives)}>Archive</button>
      </div>
      {picking && (
        <div className="max-h-72 overflow-auto rounded border border-zinc-200 bg-white text-sm dark:border-zinc-800 dark:bg-zinc-900" data-testid="message-picker">
          <label className="flex items-center gap-2 border-b border-zinc-200 px-3 py-1 font-medium dark:border-zinc-800">
            <input type="checkbox" checked={shown.length > 0 && ids.length === shown.length} onChange={(event) => setSelected(event.target.checked ? new Set(shown.map((message) => message.id)) : new Set())} />
            All {formatCount(shown.length)} shown
          </label>
          {shown.slice(0, PICKER_ROWS).map((message) => (
            <label key={message.id} className="flex items-center gap-2 px-3 py-0.5 hover:bg-zinc-50 dark:hover:bg-zinc-800/50">
              <input type="checkbox" checked={selected.has(message.id)} onChange={() => toggle(message.id)} aria-label={`Select ${message.messageId ?? message.id}`} />
              <span className="truncate font-mono text-xs">{message.messageId ?? message.id}</span>
              <span className="truncate text-xs text-zinc-500">{message.reason ?? ""}</span>
            </label>
          ))}
          {shown.length > PICKER_ROWS && <p className="px-3 py-1 text-xs text-zinc-500">{formatCount(shown.length - PICKER_ROWS)} more: filter to pick among them</p>}
        </div>
      )}
      {archives && <ArchivesPanel broker={broker} queueId={queueId} />}
      {open === "replay" && <ReplayDialog broker={broker} queueId={queueId} ids={ids} onClose={() => setOpen(null)} onDone={done} />}
      {open === "purge" && <PurgeDialog broker={broker} queueId={queueId} ids={ids} onClose={() => setOpen(null)} onDone={done} />}
      {open === "purge-all" && <PurgeDialog broker={broker} queueId={queueId} ids="all" onClose={() => setOpen(null)} onDone={done} />}
    </section>
  );
}
