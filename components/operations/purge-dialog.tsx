"use client";

import { useState } from "react";
import { formatCount } from "@/lib/client/format";
import { isProduction } from "@/lib/client/overview-rows";
import { newOperationId, usePolicy, usePurge } from "@/lib/client/queries/operations";
import { Dialog, buttonClass, dangerButtonClass, inputClass } from "./dialog";
import { EnvironmentLabel } from "./environment-label";
import { OperationResult } from "./operation-result";
import { EMPTY_REASON, ReasonFields, reasonFields, reasonOk } from "./reason-fields";

interface Props {
  readonly broker: string;
  readonly queueId: string;
  /** The messages to purge, or "all" for the whole DLQ. */
  readonly ids: readonly string[] | "all";
  onClose(): void;
  onDone?(): void;
}

/** Purge behind a typed confirmation: the operator types the queue name. Archived first, restorable. */
export function PurgeDialog({ broker, queueId, ids, onClose, onDone }: Props) {
  const [operationId] = useState(newOperationId);
  const [typed, setTyped] = useState("");
  const [reason, setReason] = useState(EMPTY_REASON);
  const policy = usePolicy(broker);
  const purge = usePurge(broker, queueId);
  const environment = policy.data?.environment ?? null;
  const required = policy.data?.reasonRequired ?? false;
  const what = ids === "all" ? "every message in this DLQ" : ids.length === 1 ? "1 message" : `${formatCount(ids.length)} messages`;
  const confirmed = typed === queueId;

  const submit = () =>
    purge.mutate(
      { operationId, ...(ids === "all" ? { all: true as const } : { ids: [...ids] }), confirm: typed, ...reasonFields(reason) },
      { onSuccess: () => onDone?.() },
    );

  return (
    <Dialog title={ids === "all" ? "Purge the whole DLQ" : "Purge messages"} onClose={onClose}>
      <div className="space-y-3 text-sm">
        <EnvironmentLabel broker={broker} environment={environment} />
        <p className={isProduction(environment) ? "font-semibold text-red-700 dark:text-red-300" : ""}>
          This deletes {what} from <span className="font-mono">{queueId}</span>
          {isProduction(environment) ? ", on PRODUCTION" : ""}. Each message is archived first and can be restored for{" "}
          {policy.data?.archiveRetentionDays ?? "…"} days.
        </p>
        <label className="block">
          Type <span className="font-mono font-semibold select-all">{queueId}</span> to confirm
          <input className={inputClass} value={typed} onChange={(event) => setTyped(event.target.value)} aria-label="Queue name to confirm" autoComplete="off" spellCheck={false} />
        </label>
        <ReasonFields value={reason} onChange={setReason} required={required} />
        {purge.error && <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">{purge.error.message}</p>}
        {purge.data && <OperationResult response={purge.data} />}
        <div className="flex justify-end gap-2">
          <button type="button" className={buttonClass} onClick={onClose}>{purge.data ? "Close" : "Cancel"}</button>
          <button type="button" className={dangerButtonClass} disabled={!confirmed || !reasonOk(reason, required) || purge.isPending || !!purge.data} onClick={submit}>
            {purge.isPending ? "Purging…" : "Purge"}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
