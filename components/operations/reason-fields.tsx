"use client";

export interface Reason {
  readonly reason: string;
  readonly ticket: string;
}

export const EMPTY_REASON: Reason = { reason: "", ticket: "" };

/** True when the policy is met: a reason or ticket where one is required. */
export function reasonOk(value: Reason, required: boolean): boolean {
  return !required || value.reason.trim() !== "" || value.ticket.trim() !== "";
}

/** The request fields of a reason, empty ones left out. */
export function reasonFields(value: Reason): { reason?: string; ticket?: string } {
  return { ...(value.reason.trim() ? { reason: value.reason.trim() } : {}), ...(value.ticket.trim() ? { ticket: value.ticket.trim() } : {}) };
}

/** Optional reason and ticket link; required (one of them) where the broker's environment says so. */
export function ReasonFields({ value, onChange, required }: { value: Reason; onChange(value: Reason): void; required: boolean }) {
  const input = "w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950";
  return (
    <fieldset className="grid gap-2 sm:grid-cols-2">
      <legend className="mb-1 text-xs text-zinc-500">{required ? "A reason or a ticket is required on this environment" : "Reason and ticket (optional)"}</legend>
      <label className="text-sm">
        Reason
        <input className={input} value={value.reason} onChange={(event) => onChange({ ...value, reason: event.target.value })} placeholder="Why (kept in the audit log)" />
      </label>
      <label className="text-sm">
        Ticket
        <input className={input} value={value.ticket} onChange={(event) => onChange({ ...value, ticket: event.target.value })} placeholder="INC-1234 or a link" />
      </label>
    </fieldset>
  );
}
