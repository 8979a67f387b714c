import "server-only";
// Copies coming back: a replayed message that fails again is dead-lettered again, carrying the
// replay headers the console stamped on it (rule 3). Counting the DLQ's messages that carry the
// job's id tells the canary and the auto-pause whether the fix works.
import type { BrokerAdapter, DeadLetter, PropertyValue } from "@/lib/brokers/types";


function mentions(value: PropertyValue, operationId: string): boolean {
  if (typeof value === "string") return value.includes(operationId);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8").includes(operationId);
  if (Array.isArray(value)) return value.some((item) => mentions(item, operationId));
  if (value && typeof value === "object" && !(value instanceof Date)) return Object.values(value).some((item) => mentions(item, operationId));
  return false;
}

/** True when the message is a copy replayed by this operation (its stamp names the id). */
export function carriesOperation(message: DeadLetter, operationId: string): boolean {
  if (message.history.some((event) => event.kind === "replayed" && event.detail?.includes(operationId))) return true;
  return Object.values(message.properties).some((value) => mentions(value, operationId));
}

/**
 * How many of the DLQ's first `limit` messages carry `operationId`. Bounded: on a DLQ read from the
 * head (RabbitMQ, SQS) copies behind `limit` not-yet-replayed messages are not seen (docs/bulk-replay.md).
 */
export async function countReturned(adapter: BrokerAdapter, queueId: string, operationId: string, limit: number): Promise<number> {
  let returned = 0;
  let read = 0;
  let cursor: string | null = null;
  do {
    const page = await adapter.browse(queueId, { cursor, limit: limit - read });
    for (const message of page.messages) if (carriesOperation(message, operationId)) returned++;
    read += page.messages.length;
    cursor = page.nextCursor;
  } while (cursor && read < limit);
  return returned;
}
