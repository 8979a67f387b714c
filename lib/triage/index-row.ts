// One message as the message index stores it: the queue view's summary fields plus a bounded,
// lower-cased search text. Pure, so tested without a database.
import { utf8OrNull, utf8Prefix } from "@/lib/api/serialize-message";
import type { DeadLetter, PropertyValue } from "@/lib/brokers/types";
import { fingerprintOf } from "./fingerprint";

/** Payload bytes that go into the search text. */
export const SEARCH_PAYLOAD_BYTES = 8 * 1024;
/** Characters of the payload shown in the table. */
export const PREVIEW_CHARS = 200;

export interface IndexRow {
  readonly id: string;
  readonly messageId: string | null;
  readonly position: number;
  readonly enqueuedAt: Date | null;
  readonly deadLetteredAt: Date | null;
  readonly reason: string | null;
  readonly description: string | null;
  readonly fingerprintId: string;
  readonly fingerprintLabel: string;
  readonly attemptCount: number | null;
  readonly attemptCap: number | null;
  readonly sourceId: string | null;
  readonly sourceName: string | null;
  readonly partitionKey: string | null;
  readonly sizeBytes: number;
  readonly contentType: string | null;
  readonly preview: string;
  readonly searchText: string;
}

/** Property values that are text-like, flattened, for search. Binary values are left out. */
function propertyText(value: PropertyValue): string[] {
  if (value === null || value instanceof Uint8Array) return [];
  if (value instanceof Date) return [value.toISOString()];
  if (Array.isArray(value)) return value.flatMap(propertyText);
  if (typeof value === "object") return Object.entries(value).flatMap(([key, item]) => [key, ...propertyText(item)]);
  return [String(value)];
}

/** Postgres text cannot hold NUL; a payload that has one is searched without it. */
const withoutNul = (text: string) => text.replaceAll("\u0000", "");

/** The index row of a message at `position` in the scan. */
export function indexRowOf(message: DeadLetter, position: number): IndexRow {
  const fingerprint = fingerprintOf(message.failure.reason, message.failure.description);
  const payloadText = utf8OrNull(utf8Prefix(message.body, SEARCH_PAYLOAD_BYTES));
  const headerText = Object.entries(message.properties).flatMap(([key, value]) => [key, ...propertyText(value)]);
  const searchText = [message.id, message.messageId, message.failure.reason, message.failure.description, message.partitionKey, message.source?.name, ...headerText, payloadText]
    .filter((part): part is string => !!part)
    .join("\n")
    .toLowerCase();
  return {
    id: message.id,
    messageId: message.messageId,
    position,
    enqueuedAt: message.enqueuedAt,
    deadLetteredAt: message.deadLetteredAt,
    reason: message.failure.reason,
    description: message.failure.description,
    fingerprintId: fingerprint.id,
    fingerprintLabel: fingerprint.label,
    attemptCount: message.attempts.count,
    attemptCap: message.attempts.cap,
    sourceId: message.source?.id ?? null,
    sourceName: message.source?.name ?? null,
    partitionKey: message.partitionKey,
    sizeBytes: message.body.byteLength,
    contentType: message.contentType,
    // An empty preview marks a binary body (the summary DTO shows null).
    preview: withoutNul(payloadText?.slice(0, PREVIEW_CHARS) ?? ""),
    searchText: withoutNul(searchText),
  };
}
