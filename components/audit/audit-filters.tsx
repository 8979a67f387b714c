"use client";

import { useState } from "react";
import type { AuditFilterDto } from "@/lib/api/schemas/audit";

const ACTIONS = ["", "replay", "resend", "purge", "restore", "message", "archive", "index", "auth"] as const;
const input = "rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950";

/** A datetime-local value (the user's time) as an ISO instant, or undefined. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The review page's filters; applied on submit so typing does not query on every key. */
export function AuditFilters({ onApply }: { onApply(filter: AuditFilterDto): void }) {
  const [draft, setDraft] = useState({ actor: "", action: "", broker: "", queue: "", messageId: "", from: "", to: "" });
  const set = (key: keyof typeof draft) => (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value });
  return (
    <form
      aria-label="Audit filters"
      className="flex flex-wrap items-end gap-2 text-sm"
      onSubmit={(event) => {
        event.preventDefault();
        const { from, to, ...text } = draft;
        const filter = Object.fromEntries(Object.entries(text).filter(([, value]) => value.trim() !== "").map(([key, value]) => [key, value.trim()]));
        onApply({ ...filter, from: isoOf(from), to: isoOf(to) });
      }}
    >
      <label className="flex flex-col">Actor<input className={input} value={draft.actor} onChange={set("actor")} aria-label="Actor" /></label>
      <label className="flex flex-col">
        Action
        <select className={input} value={draft.action} onChange={set("action")} aria-label="Action">
          {ACTIONS.map((action) => <option key={action} value={action}>{action || "any"}</option>)}
        </select>
      </label>
      <label className="flex flex-col">Broker<input className={input} value={draft.broker} onChange={set("broker")} aria-label="Broker" /></label>
      <label className="flex flex-col">Queue<input className={input} value={draft.queue} onChange={set("queue")} aria-label="Queue" /></label>
      <label className="flex flex-col">Message id<input className={input} value={draft.messageId} onChange={set("messageId")} aria-label="Message id" /></label>
      <label className="flex flex-col">From<input type="datetime-local" step="1" className={input} value={draft.from} onChange={set("from")} aria-label="From" /></label>
      <label className="flex flex-col">To<input type="datetime-local" step="1" className={input} value={draft.to} onChange={set("to")} aria-label="To" /></label>
      <button type="submit" className="rounded bg-sky-700 px-3 py-1 text-white hover:bg-sky-800">Apply</button>
    </form>
  );
}
