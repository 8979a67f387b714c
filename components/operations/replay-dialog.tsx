"use client";

import { useMemo, useState } from "react";
import { usePolicy, usePreview, useReplay, newOperationId } from "@/lib/client/queries/operations";
import { Dialog, buttonClass, inputClass, primaryButtonClass } from "./dialog";
import { EnvironmentLabel } from "./environment-label";
import { OperationResult } from "./operation-result";
import { EMPTY_REASON, ReasonFields, reasonFields, reasonOk } from "./reason-fields";

interface Props {
  readonly broker: string;
  readonly queueId: string;
  readonly ids: readonly string[];
  onClose(): void;
  /** Called after the replay ran (to leave a message page whose message moved). */
  onDone?(): void;
}

/** Replay with a preview first: where the messages land, who receives them, what the broker changes. */
export function ReplayDialog({ broker, queueId, ids, onClose, onDone }: Props) {
  const [operationId] = useState(newOperationId);
  // The preview reads the messages from the broker: ask again only when the destination is entered, not per key.
  const [destinationDraft, setDestinationDraft] = useState("");
  const [destinationId, setDestinationId] = useState("");
  const [fanOutConsent, setFanOutConsent] = useState(false);
  const [reason, setReason] = useState(EMPTY_REASON);
  const policy = usePolicy(broker);
  const previewParams = useMemo(() => ({ ids, ...(destinationId.trim() ? { destination: { id: destinationId.trim() } } : {}) }), [ids, destinationId]);
  const preview = usePreview(broker, queueId, previewParams, true);
  const replay = useReplay(broker, queueId);

  const routes = preview.data?.routes ?? [];
  // A route fans out when more entities receive the copy than the one it is sent to.
  const fansOut = routes.some((route) => route.receivers.length > 1 || route.receivers.some((receiver) => receiver.id !== route.sendTo.id));
  const blocked = routes.find((route) => route.blocked !== null && !(fansOut && fanOutConsent));
  const required = policy.data?.reasonRequired ?? false;
  const canReplay = !!preview.data && destinationDraft === destinationId && !blocked && (!fansOut || fanOutConsent) && reasonOk(reason, required) && !replay.isPending && !replay.data;

  const submit = () => {
    const sendTo = routes[0]?.sendTo.id;
    const destination = destinationId.trim()
      ? { id: destinationId.trim(), ...(fanOutConsent ? { allowFanOut: true } : {}) }
      : fansOut && fanOutConsent && sendTo
        ? { id: sendTo, allowFanOut: true }
        : undefined;
    replay.mutate({ operationId, ids: [...ids], ...(destination ? { destination } : {}), ...reasonFields(reason) }, { onSuccess: () => onDone?.() });
  };

  return (
    <Dialog title={`Replay ${ids.length === 1 ? "message" : `${ids.length} messages`}`} onClose={onClose}>
      <div className="space-y-3 text-sm">
        <EnvironmentLabel broker={broker} environment={policy.data?.environment ?? null} />
        <label className="block">
          Destination
          <input
            className={inputClass}
            value={destinationDraft}
            onChange={(event) => setDestinationDraft(event.target.value)}
            onBlur={() => setDestinationId(destinationDraft)}
            onKeyDown={(event) => {
              if (event.key === "Enter") setDestinationId(destinationDraft);
            }}
            placeholder="empty: each message's own source (Enter to preview)"
            aria-label="Destination"
          />
        </label>

        <section aria-label="Replay preview" data-testid="replay-preview" className="rounded border border-zinc-200 p-3 dark:border-zinc-800">
          <h3 className="mb-1 font-medium">Where it lands</h3>
          {preview.isPending && <p className="text-zinc-500">Asking the broker…</p>}
          {preview.error && <p role="alert" className="text-red-700 dark:text-red-300">{preview.error.message}</p>}
          {routes.map((route) => (
            <div key={`${route.sendTo.id}-${route.messageIds.join(",")}`} className="mb-2">
              <p>
                Sent to <span className="font-mono" data-testid="preview-send-to">{route.sendTo.name}</span>
                {ids.length > 1 && <span className="text-zinc-500"> ({route.messageIds.length} previewed)</span>}
              </p>
              <p className="text-zinc-600 dark:text-zinc-400">
                Received by: {route.receivers.length ? route.receivers.map((receiver) => receiver.name).join(", ") : "nobody"}
              </p>
              <ul className="list-disc pl-5 text-zinc-600 dark:text-zinc-400">
                {route.changes.map((change) => <li key={change}>{change}</li>)}
              </ul>
              {route.blocked && <p role="alert" className="text-amber-800 dark:text-amber-300">{route.blocked}</p>}
            </div>
          ))}
          {preview.data && preview.data.missing.length > 0 && <p className="text-amber-800 dark:text-amber-300">No longer in the DLQ: {preview.data.missing.join(", ")}</p>}
          {preview.data && preview.data.notPreviewed > 0 && <p className="text-zinc-500">{preview.data.notPreviewed} more go to their own sources.</p>}
          {fansOut && (
            <label className="mt-2 flex items-center gap-2 font-medium text-amber-900 dark:text-amber-200">
              <input type="checkbox" checked={fanOutConsent} onChange={(event) => setFanOutConsent(event.target.checked)} />
              I understand every receiver listed above gets a copy (fan-out)
            </label>
          )}
        </section>

        <ReasonFields value={reason} onChange={setReason} required={required} />
        {replay.error && <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">{replay.error.message}</p>}
        {replay.data && <OperationResult response={replay.data} />}
        <div className="flex justify-end gap-2">
          <button type="button" className={buttonClass} onClick={onClose}>{replay.data ? "Close" : "Cancel"}</button>
          <button type="button" className={primaryButtonClass} disabled={!canReplay} onClick={submit}>
            {replay.isPending ? "Replaying…" : "Replay"}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
