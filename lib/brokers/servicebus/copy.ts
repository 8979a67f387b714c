// The copy a replay sends: the received AMQP message rebuilt field by field (never the received
// object itself, which carries broker annotations), its body in its own section kind.
import type { AmqpAnnotatedMessage } from "@azure/core-amqp";
import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import type { PropertyValue, ReplayRequest, ReplayStamp } from "../types";
import { bodyKindOf, DEAD_LETTER_PROPERTIES, REPLAY_PROPERTIES } from "./decode";

/** Message annotations a producer sets and the copy keeps; the rest (x-opt-sequence-number, ...) are the broker's. */
const KEPT_ANNOTATIONS = ["x-opt-partition-key", "x-opt-via-partition-key"];

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

export type AmqpPropertyValue = string | number | boolean | Date | Buffer | null;

/** A common-model property as Service Bus application properties hold it (no nesting there). */
export function toAmqpProperty(value: PropertyValue): AmqpPropertyValue {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value instanceof Date) return value;
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value);
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item instanceof Uint8Array ? Buffer.from(item).toString("base64") : item));
}

export function stampProperties(stamp: ReplayStamp): Record<string, AmqpPropertyValue> {
  return {
    [REPLAY_PROPERTIES.operationId]: stamp.operationId,
    [REPLAY_PROPERTIES.operator]: stamp.operator,
    [REPLAY_PROPERTIES.replayCount]: stamp.replayCount,
  };
}

/** The body for an edit, in the original section kind; a string when the edit cannot be encoded so. */
function editedBody(message: ServiceBusReceivedMessage, bytes: Uint8Array): { body: unknown; bodyType: "data" | "value" | "sequence" } | string {
  const kind = bodyKindOf(message);
  if (kind === "data") return { body: Buffer.from(bytes), bodyType: "data" };
  if (kind === "value-binary") return { body: Buffer.from(bytes), bodyType: "value" };
  let text: string;
  try {
    text = fatalUtf8.decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) return "the original body is an AMQP text value; the edited body is not valid UTF-8";
    throw error;
  }
  if (kind === "value-string") return { body: text, bodyType: "value" };
  try {
    const parsed: unknown = JSON.parse(text);
    if (kind === "sequence" && !Array.isArray(parsed)) return "the original body is an AMQP sequence; the edited body must be a JSON array";
    return { body: parsed, bodyType: kind === "sequence" ? "sequence" : "value" };
  } catch (error) {
    if (error instanceof SyntaxError) return "the original body is a structured AMQP value; the edited body must be JSON";
    throw error;
  }
}

/** The received body as it was: one data section's bytes, the value, or the sequence. */
function originalBody(message: ServiceBusReceivedMessage): { body: unknown; bodyType: "data" | "value" | "sequence" } {
  const bodyType = message._rawAmqpMessage.bodyType ?? "data";
  const body: unknown = message.body;
  // Several data sections become one: the SDK sends one per message.
  if (bodyType === "data" && Array.isArray(body)) return { body: Buffer.concat(body.map((part) => Buffer.from(part as Uint8Array))), bodyType };
  if (bodyType === "data" && !(body instanceof Uint8Array)) return { body: Buffer.alloc(0), bodyType };
  return { body, bodyType };
}

/** The copy of a DLQ message for a replay, or why it cannot be built. */
export function buildCopy(message: ServiceBusReceivedMessage, request: ReplayRequest, extra: Record<string, AmqpPropertyValue>): AmqpAnnotatedMessage | string {
  const raw = message._rawAmqpMessage;
  const body = request.body ? editedBody(message, request.body) : originalBody(message);
  if (typeof body === "string") return body;
  const original = raw.applicationProperties ?? {};
  const base: Record<string, unknown> = request.properties
    ? Object.fromEntries(Object.entries(request.properties).map(([key, value]) => [key, toAmqpProperty(value)]))
    : { ...original };
  for (const key of DEAD_LETTER_PROPERTIES) delete base[key];
  const properties = { ...raw.properties };
  delete properties.absoluteExpiryTime;
  delete properties.creationTime;
  delete properties.groupSequence;
  if (request.contentType !== undefined) {
    if (request.contentType === null) delete properties.contentType;
    else properties.contentType = request.contentType;
  }
  const annotations = Object.fromEntries(Object.entries(raw.messageAnnotations ?? {}).filter(([key]) => KEPT_ANNOTATIONS.includes(key)));
  return {
    body: body.body,
    bodyType: body.bodyType,
    header: {
      ...(raw.header?.durable !== undefined ? { durable: raw.header.durable } : {}),
      ...(raw.header?.priority !== undefined ? { priority: raw.header.priority } : {}),
    },
    properties,
    messageAnnotations: annotations,
    applicationProperties: { ...base, ...stampProperties(request.stamp), ...extra } as AmqpAnnotatedMessage["applicationProperties"],
  };
}
