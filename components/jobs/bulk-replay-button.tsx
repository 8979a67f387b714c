"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Dialog, buttonClass, inputClass, primaryButtonClass } from "@/components/operations/dialog";
import { EMPTY_REASON, ReasonFields, reasonFields, reasonOk } from "@/components/operations/reason-fields";
import type { JobDto } from "@/lib/api/schemas/jobs";
import type { Selection } from "@/lib/operations/bulk/model";
import { newOperationId, usePolicy } from "@/lib/client/queries/operations";
import { usePlanBulkReplay, useStartBulkReplay } from "@/lib/client/queries/jobs";
import type { IndexFilterInput } from "@/lib/client/queries/message-index";
import { PlanSummaryView } from "./plan-summary";

function selectionOf(filter: IndexFilterInput): Selection {
  if (filter.group && !filter.text && !filter.from && !filter.to) return { kind: "group", group: filter.group };
  return { kind: "filter", text: filter.text, group: filter.group, from: filter.from, to: filter.to };
}

/** "Bulk replay this group / everything matching": plan (dry run) → summary → confirm → the job's page. */
export function BulkReplayButton({ broker, queueId, filter }: { broker: string; queueId: string; filter: IndexFilterInput }) {
  const [open, setOpen] = useState(false);
  const label = filter.group && !filter.text && !filter.from && !filter.to ? "Bulk replay this group" : "Bulk replay everything matching";
  return (
    <>
      <button type="button" className={buttonClass} onClick={() => setOpen(true)} data-testid="bulk-replay-open">
        {label}
      </button>
      {open && <BulkReplayDialog broker={broker} queueId={queueId} selection={selectionOf(filter)} title={label} onClose={() => setOpen(false)} />}
    </>
  );
}

function BulkReplayDialog({ broker, queueId, selection, title, onClose }: { broker: string; queueId: string; selection: Selection; title: string; onClose(): void }) {
  const router = useRouter();
  const policy = usePolicy(broker);
  const plan = usePlanBulkReplay(broker, queueId);
  const start = useStartBulkReplay(broker, queueId);
  const [operationId] = useState(newOperationId);
  const [reason, setReason] = useState(EMPTY_REASON);
  const [rate, setRate] = useState("");
  const [canary, setCanary] = useState("");
  const required = policy.data?.reasonRequired ?? false;
  const job: JobDto | undefined = plan.data?.job;
  const makePlan = () =>
    plan.mutate({
      operationId,
      selection,
      ...reasonFields(reason),
      settings: { ...(rate ? { ratePerSecond: Number(rate) } : {}), ...(canary ? { canarySize: Number(canary) } : {}) },
    });
  return (
    <Dialog title={title} onClose={onClose} wide>
      <div className="space-y-3 text-sm">
        {!job && (
          <>
            <p>The console freezes the matching messages (ids and payload hashes) now; nothing is sent until you confirm.</p>
            <div className="grid gap-2 sm:grid-cols-2">
              <label>
                Rate (messages per second; empty: the default)
                <input aria-label="Rate" className={inputClass} inputMode="numeric" value={rate} onChange={(event) => setRate(event.target.value.replace(/\D/g, ""))} />
              </label>
              <label>
                Canary size (empty: the default; 0: none)
                <input aria-label="Canary size" className={inputClass} inputMode="numeric" value={canary} onChange={(event) => setCanary(event.target.value.replace(/\D/g, ""))} />
              </label>
            </div>
            <ReasonFields value={reason} onChange={setReason} required={required} />
            <button type="button" className={primaryButtonClass} disabled={plan.isPending || !reasonOk(reason, required)} onClick={makePlan} data-testid="bulk-replay-plan">
              {plan.isPending ? "Planning…" : "Plan (dry run)"}
            </button>
          </>
        )}
        {plan.error && <p role="alert" className="text-red-700 dark:text-red-400">{plan.error.message}</p>}
        {job && (
          <>
            <PlanSummaryView job={job} />
            <p className="text-xs text-zinc-500">
              {job.settings.canarySize > 0 ? `The first ${job.settings.canarySize} go first; the rest follow only if none comes back to the DLQ within ${Math.round(job.settings.canaryWindowMs / 1000)} s. ` : "No canary. "}
              At most {job.settings.ratePerSecond} messages per second; pauses by itself above {Math.round(job.settings.returnThreshold * 100)}% coming back or {Math.round(job.settings.failureThreshold * 100)}% failing.
            </p>
            <div className="flex gap-2">
              <button
                type="button"
                className={primaryButtonClass}
                disabled={start.isPending || job.summary.blocked !== null}
                data-testid="bulk-replay-confirm"
                onClick={() => start.mutate(job.id, { onSuccess: () => router.push(`/jobs/${encodeURIComponent(job.id)}`) })}
              >
                Replay {job.counts.total} messages
              </button>
              <button type="button" className={buttonClass} onClick={onClose}>Close without replaying</button>
            </div>
            {start.error && <p role="alert" className="text-red-700 dark:text-red-400">{start.error.message}</p>}
          </>
        )}
      </div>
    </Dialog>
  );
}
