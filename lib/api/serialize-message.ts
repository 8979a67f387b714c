// DeadLetter → JSON DTOs. Bodies are bounded and binary-safe (rule 8): base64 always, text only
// when the bytes are valid UTF-8. A PayloadView below full (a role without reader) gets JSON
// bodies and previews with REDACT_JSON_PATHS masked, other bodies withheld, and REDACT_HEADERS
// properties masked at any depth.
import { MASK, type Redactor } from "@/lib/auth/redaction";
import type { DeadLetter, PropertyValue } from "@/lib/brokers/types";
import { fingerprintOf } from "@/lib/triage/fingerprint";
import type { MessageDetailDto, MessageSummaryDto, PropertyDto } from "./schemas/messages";

/** How payloads are shown (lib/api/redact.ts builds it from the caller's role). */
export type PayloadView = { readonly full: true } | { readonly full: false; readonly redactor: Redactor };
const FULL: PayloadView = { full: true };

/** The most body bytes one message response carries. */
export const MAX_BODY_BYTES_IN_RESPONSE = 1024 * 1024;
const PREVIEW_CHARS = 200;

/** The bytes as UTF-8 text, or null when they are not valid UTF-8. */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null; // binary: the caller shows hex instead
  }
}

/** A property value with its type kept for JSON. */
export function toPropertyDto(value: PropertyValue): PropertyDto {
  if (value === null) return { type: "null" };
  if (typeof value === "string") return { type: "string", value };
  if (typeof value === "number") return { type: "number", value };
  if (typeof value === "bigint") return { type: "bigint", value: value.toString() };
  if (typeof value === "boolean") return { type: "boolean", value };
  if (value instanceof Date) return { type: "date", value: value.toISOString() };
  if (value instanceof Uint8Array) return { type: "binary", base64: Buffer.from(value).toString("base64"), size: value.byteLength };
  if (Array.isArray(value)) return { type: "list", items: value.map(toPropertyDto) };
  return { type: "map", entries: propertiesDto(value) };
}

function propertiesDto(properties: Readonly<Record<string, PropertyValue>>): Record<string, PropertyDto> {
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, toPropertyDto(value)]));
}

const MASKED_PROPERTY: PropertyDto = { type: "string", value: MASK };

/** Property DTOs with the configured header names masked, inside maps and lists too. */
export function redactPropertyDtos(properties: Readonly<Record<string, PropertyDto>>, redactor: Redactor): Record<string, PropertyDto> {
  const inner = (value: PropertyDto): PropertyDto => {
    if (value.type === "map") return { type: "map", entries: redactPropertyDtos(value.entries, redactor) };
    if (value.type === "list") return { type: "list", items: value.items.map(inner) };
    return value;
  };
  const named = redactor.properties(properties, () => MASKED_PROPERTY);
  return Object.fromEntries(Object.entries(named).map(([key, value]) => [key, inner(value)]));
}

/** The body text a view may see: all of it, the JSON with paths masked, or null (not JSON, or not text). */
function visibleText(text: string | null, view: PayloadView): string | null {
  if (text === null || view.full) return text;
  return view.redactor.jsonText(text);
}

/** The table row of a message. */
export function toMessageSummary(message: DeadLetter, view: PayloadView = FULL): MessageSummaryDto {
  return {
    id: message.id,
    messageId: message.messageId,
    enqueuedAt: message.enqueuedAt?.toISOString() ?? null,
    deadLetteredAt: message.deadLetteredAt?.toISOString() ?? null,
    reason: message.failure.reason,
    description: message.failure.description,
    attempts: { count: message.attempts.count, cap: message.attempts.cap },
    source: message.source ? { id: message.source.id, name: message.source.name } : null,
    partitionKey: message.partitionKey,
    contentType: message.contentType,
    size: message.body.byteLength,
    fingerprint: fingerprintOf(message.failure.reason, message.failure.description),
    preview: previewOf(message.body, view),
  };
}

function previewOf(body: Uint8Array, view: PayloadView): string | null {
  // A masked preview needs the whole JSON document: a cut one does not parse.
  if (!view.full) return visibleText(utf8OrNull(utf8Prefix(body, MAX_BODY_BYTES_IN_RESPONSE)), view)?.slice(0, PREVIEW_CHARS) ?? null;
  return utf8OrNull(utf8Prefix(body, PREVIEW_CHARS * 4))?.slice(0, PREVIEW_CHARS) ?? null;
}

/** At most maxBytes of the bytes, never cutting a UTF-8 character in half. */
export function utf8Prefix(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (bytes.byteLength <= maxBytes) return bytes;
  let end = maxBytes;
  // A continuation byte (10xxxxxx) right after the cut means the cut split a character.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** The body of a detail response: as the view may see it, base64 and text agreeing. */
function bodyDto(message: DeadLetter, view: PayloadView): MessageDetailDto["body"] {
  const truncated = message.body.byteLength > MAX_BODY_BYTES_IN_RESPONSE;
  const bytes = utf8Prefix(message.body, MAX_BODY_BYTES_IN_RESPONSE);
  if (view.full) return { base64: Buffer.from(bytes).toString("base64"), text: utf8OrNull(bytes), truncated, redacted: false };
  // Masked JSON is re-serialised; anything else (binary, text, cut JSON) cannot be masked field by field, so it is withheld.
  const text = truncated ? null : visibleText(utf8OrNull(bytes), view);
  return { base64: text === null ? "" : Buffer.from(text, "utf8").toString("base64"), text, truncated, redacted: true };
}

/** The full message, body bounded to MAX_BODY_BYTES_IN_RESPONSE, as the view may see it. */
export function toMessageDetail(message: DeadLetter, view: PayloadView = FULL): MessageDetailDto {
  const properties = propertiesDto(message.properties);
  const systemProperties = propertiesDto(message.systemProperties);
  return {
    ...toMessageSummary(message, view),
    contentEncoding: message.contentEncoding,
    body: bodyDto(message, view),
    properties: view.full ? properties : redactPropertyDtos(properties, view.redactor),
    systemProperties: view.full ? systemProperties : redactPropertyDtos(systemProperties, view.redactor),
    history: message.history.map((event) => ({
      kind: event.kind,
      at: event.at?.toISOString() ?? null,
      queue: event.queue ?? null,
      reason: event.reason ?? null,
      count: event.count ?? null,
      detail: event.detail ?? null,
    })),
  };
}
