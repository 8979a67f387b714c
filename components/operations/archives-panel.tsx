"use client";

import { useState } from "react";
import { formatCount, formatTime } from "@/lib/client/format";
import { useArchives } from "@/lib/client/queries/archives";
import { newOperationId, usePolicy, useRestore } from "@/lib/client/queries/operations";
import { buttonClass } from "./dialog";
import { OperationResult } from "./operation-result";
import { EMPTY_REASON, ReasonFields, reasonFields, reasonOk } from "./reason-fields";

/** Purged messages of this DLQ still in the archive, with restore to the DLQ or to their source. */
export function ArchivesPanel({ broker, queueId }: { broker: string; queueId: string }) {
  const archives = useArchives(broker, queueId, true);
  const policy = usePolicy(broker);
  const restore = useRestore(broker, queueId);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [reason, setReason] = useState(EMPTY_REASON);
  const required = policy.data?.reasonRequired ?? false;
  const ids = [...selected];
  const run = (to: "dlq" | "source") =>
    restore.mutate({ operationId: newOperationId(), archiveIds: ids, to, ...reasonFields(reason) }, { onSuccess: () => setSelected(new Set()) });

  return (
    <section aria-label="Archive" className="space-y-2 rounded border border-zinc-200 bg-white p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900">
      <h2 className="font-medium">Archived (purged) messages</h2>
      {archives.error && <p role="alert">{archives.error.message}</p>}
      {archives.data?.archives.length === 0 && <p className="text-zinc-500">Nothing purged from this queue is in the archive.</p>}
      {archives.data && archives.data.archives.length > 0 && (
        <table className="w-full text-xs">
          <thead className="text-left text-zinc-500">
            <tr><th /><th>Message</th><th>Reason</th><th className="text-right">Size</th><th>Archived</th><th>Restored</th></tr>
          </thead>
          <tbody>
            {archives.data.archives.map((archive) => (
              <tr key={archive.archiveId} data-testid="archive-row">
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select archive ${archive.archiveId}`}
                    disabled={archive.restoredAt !== null}
                    checked={selected.has(archive.archiveId)}
                    onChange={(event) => {
                      const next = new Set(selected);
                      if (event.target.checked) next.add(archive.archiveId);
                      else next.delete(archive.archiveId);
                      setSelected(next);
                    }}
                  />
                </td>
                <td className="font-mono break-all">{archive.brokerMessageId ?? archive.messageId}</td>
                <td>{archive.failureReason ?? "—"}</td>
                <td className="text-right tabular-nums">{formatCount(archive.size)} B</td>
                <td title={formatTime(archive.archivedAt).utc}>{formatTime(archive.archivedAt).local}</td>
                <td>{archive.restoredAt ? `to ${archive.restoredTo} by ${archive.restoredBy}` : `kept until ${formatTime(archive.expiresAt).local}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ReasonFields value={reason} onChange={setReason} required={required} />
      <div className="flex gap-2">
        <button type="button" className={buttonClass} disabled={ids.length === 0 || !reasonOk(reason, required) || restore.isPending} onClick={() => run("dlq")}>Restore to the DLQ</button>
        <button type="button" className={buttonClass} disabled={ids.length === 0 || !reasonOk(reason, required) || restore.isPending} onClick={() => run("source")}>Restore to the source</button>
      </div>
      {restore.error && <p role="alert" className="text-red-700 dark:text-red-300">{restore.error.message}</p>}
      {restore.data && <OperationResult response={restore.data} />}
    </section>
  );
}
