import type { MessageDetailDto } from "@/lib/api/schemas/messages";
import { formatTime } from "@/lib/client/format";

const KIND_LABEL: Record<MessageDetailDto["history"][number]["kind"], string> = {
  enqueued: "Enqueued",
  delivered: "Delivered",
  "dead-lettered": "Dead-lettered",
  replayed: "Replayed by the console",
  edited: "Edited and resent",
};

/** Enqueue, deliveries, each dead-lettering and the console's own replays, oldest first. */
export function Timeline({ history }: { history: MessageDetailDto["history"] }) {
  return (
    <section aria-label="Attempt history" className="rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 className="mb-2 text-sm font-medium">Attempt history</h2>
      {history.length === 0 ? (
        <p className="text-sm text-zinc-500">The broker keeps no history for this message.</p>
      ) : (
        <ol className="space-y-2 border-l-2 border-zinc-200 pl-4 dark:border-zinc-700" data-testid="timeline">
          {history.map((event, index) => (
            <li key={index} className="text-sm">
              <span className="font-medium">{KIND_LABEL[event.kind]}</span>
              {event.count !== null && event.count > 1 && <span className="text-zinc-500"> ×{event.count}</span>}
              {event.queue && <span className="font-mono text-xs text-zinc-600 dark:text-zinc-400"> · {event.queue}</span>}
              {event.reason && <span> · {event.reason}</span>}
              {event.at && (
                <time dateTime={event.at} title={formatTime(event.at).utc} className="block text-xs text-zinc-500">
                  {formatTime(event.at).local}
                </time>
              )}
              {event.detail && <p className="font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">{event.detail}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
