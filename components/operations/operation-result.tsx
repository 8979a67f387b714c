import type { OperationResponseDto } from "@/lib/api/schemas/operations";

const STATUS_TEXT: Record<string, string> = {
  moved: "sent, then removed from the DLQ",
  "sent-kept": "sent; the original stays in the DLQ",
  "sent-not-removed": "sent, but the DLQ copy could not be removed (a duplicate, never a gap)",
  removed: "archived and removed",
  restored: "restored",
  "not-found": "no longer in the DLQ",
  skipped: "skipped",
  failed: "failed",
};

/** What an operation did, per message. Text only: ids and errors may come from payloads. */
export function OperationResult({ response }: { response: OperationResponseDto }) {
  const { operation } = response;
  const outcomes = operation.result?.outcomes ?? [];
  const tone = operation.status === "succeeded" ? "border-emerald-300 bg-emerald-50 dark:border-emerald-900 dark:bg-emerald-950" : "border-amber-300 bg-amber-50 dark:border-amber-900 dark:bg-amber-950";
  return (
    <div role="status" data-testid="operation-result" className={`rounded border p-3 text-sm ${tone}`}>
      <p className="font-medium">
        {operation.kind} {operation.status}
        {response.repeated && " (this operation id ran before; nothing was done again)"}
      </p>
      {operation.result?.error && <p className="mt-1">{operation.result.error}</p>}
      <ul className="mt-2 max-h-48 space-y-0.5 overflow-auto font-mono text-xs">
        {outcomes.map((outcome, index) => (
          <li key={`${outcome.id}-${index}`} className="break-all">
            {outcome.id}: {STATUS_TEXT[outcome.status] ?? outcome.status}
            {outcome.error ? ` — ${outcome.error}` : ""}
          </li>
        ))}
      </ul>
      <p className="mt-2 text-xs text-zinc-500">Operation {operation.id} by {operation.actor}</p>
    </div>
  );
}
