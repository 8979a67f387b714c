// ServiceBusReceivedMessage → DeadLetter, and the body rules that make a replay byte-identical.
//
// Receivers are built with skipParsingBodyAsJson and skipConvertingDate, so the SDK hands over the
// AMQP body as it was on the wire: a data section as its bytes, an amqp-value as the value (string,
// binary, or structured), an amqp-sequence as its list. `DeadLetter.body` is the data bytes, the
// UTF-8 of a string value, the bytes of a binary value, or JSON for a structured value or sequence.
// The section kind is kept in systemProperties.amqpBody, and a replay sends the received body in
// its own section kind, so nothing is re-encoded on the way back.
import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import type { DeadLetter, HistoryEvent, PropertyValue, QueueRef } from "../types";
import { entityPath, type DlqAddress } from "./address";

/** How the body sat in the AMQP message. */
export type AmqpBodyKind = "data" | "value-string" | "value-binary" | "value-json" | "sequence";

/** Application properties Service Bus sets on a dead letter; shown as failure, stripped on replay. */
export const DEAD_LETTER_PROPERTIES = ["DeadLetterReason", "DeadLetterErrorDescription"] as const;

/** Replay stamp properties, named as the RabbitMQ adapter names its headers. */
export const REPLAY_PROPERTIES = {
  operationId: "dlq-console-operation-id",
  operator: "dlq-console-operator",
  replayCount: "dlq-console-replay-count",
} as const;

const utf8 = new TextEncoder();

export function bodyKindOf(message: ServiceBusReceivedMessage): AmqpBodyKind {
  const type = message._rawAmqpMessage.bodyType ?? "data";
  if (type === "data") return "data";
  if (type === "sequence") return "sequence";
  const body: unknown = message.body;
  if (typeof body === "string") return "value-string";
  if (body instanceof Uint8Array) return "value-binary";
  return "value-json";
}

/** JSON that survives what AMQP values hold (binary, longs, timestamps). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === "bigint") return item.toString();
    if (item && typeof item === "object" && "type" in item && (item as { type: unknown }).type === "Buffer" && "data" in item) {
      return Buffer.from((item as { data: number[] }).data).toString("base64");
    }
    return item;
  });
}

/** The body as bytes (see the header comment for each section kind). */
export function bodyBytes(message: ServiceBusReceivedMessage): Uint8Array {
  const body: unknown = message.body;
  switch (bodyKindOf(message)) {
    case "data":
      if (Array.isArray(body)) return Buffer.concat(body.map((part) => Buffer.from(part as Uint8Array)));
      return body instanceof Uint8Array ? new Uint8Array(body) : new Uint8Array();
    case "value-string":
      return utf8.encode(body as string);
    case "value-binary":
      return new Uint8Array(body as Uint8Array);
    default:
      return body === undefined || body === null ? new Uint8Array() : utf8.encode(toJson(body));
  }
}

/** An AMQP property value in the common model: binary as Uint8Array, dates as dates. */
export function toPropertyValue(value: unknown): PropertyValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return value;
  if (value instanceof Date) return value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(toPropertyValue);
  if (typeof value === "object") {
    // Long (sequence numbers, int64 properties) has toString(); keep it exact as a string.
    if ("high" in value && "low" in value && typeof (value as { toString: unknown }).toString === "function") return String(value);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toPropertyValue(item)]));
  }
  return String(value);
}

const isConsoleBookkeeping = (key: string) => (DEAD_LETTER_PROPERTIES as readonly string[]).includes(key);

function stringOrNull(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return String(value);
}

export function sequenceOf(message: ServiceBusReceivedMessage): string {
  return message.sequenceNumber?.toString() ?? "";
}

/** The history Service Bus records: enqueue, deliveries, the dead-lettering, and earlier console replays. */
function historyOf(message: ServiceBusReceivedMessage, source: string): HistoryEvent[] {
  const properties = message.applicationProperties ?? {};
  const events: HistoryEvent[] = [{ kind: "enqueued", at: message.enqueuedTimeUtc ?? null, queue: source }];
  if (message.deliveryCount) events.push({ kind: "delivered", at: null, queue: source, count: message.deliveryCount });
  const replayCount = Number(properties[REPLAY_PROPERTIES.replayCount] ?? 0);
  if (replayCount > 0) {
    events.push({
      kind: "replayed",
      at: null,
      count: replayCount,
      detail: `operation ${String(properties[REPLAY_PROPERTIES.operationId] ?? "?")} by ${String(properties[REPLAY_PROPERTIES.operator] ?? "?")}`,
    });
  }
  events.push({
    kind: "dead-lettered",
    at: null, // Service Bus keeps no dead-lettering time
    queue: stringOrNull(message.deadLetterSource) ?? source,
    ...(message.deadLetterReason ? { reason: message.deadLetterReason } : {}),
    ...(message.deadLetterErrorDescription ? { detail: message.deadLetterErrorDescription } : {}),
  });
  return events;
}

/** A peeked DLQ message in the common model. `cap` is the source entity's maxDeliveryCount. */
export function decodeMessage(message: ServiceBusReceivedMessage, address: DlqAddress, cap: number | null): DeadLetter {
  const raw = message._rawAmqpMessage;
  const sourcePath = entityPath(address.entity);
  const source: QueueRef = { id: sourcePath, name: sourcePath };
  const properties = Object.fromEntries(
    Object.entries(message.applicationProperties ?? {})
      .filter(([key]) => !isConsoleBookkeeping(key))
      .map(([key, value]) => [key, toPropertyValue(value)]),
  );
  const system: Record<string, PropertyValue> = {
    sequenceNumber: sequenceOf(message),
    amqpBody: bodyKindOf(message),
    state: message.state,
    deliveryCount: message.deliveryCount ?? null,
    enqueuedSequenceNumber: message.enqueuedSequenceNumber ?? null,
    deadLetterSource: stringOrNull(message.deadLetterSource),
    correlationId: stringOrNull(message.correlationId),
    subject: message.subject ?? null,
    sessionId: message.sessionId ?? null,
    partitionKey: message.partitionKey ?? null,
    to: message.to ?? null,
    replyTo: message.replyTo ?? null,
    replyToSessionId: message.replyToSessionId ?? null,
    timeToLiveMs: message.timeToLive ?? null,
    expiresAt: message.timeToLive ? (message.expiresAtUtc ?? null) : null,
    scheduledEnqueueTime: message.scheduledEnqueueTimeUtc ?? null,
  };
  return {
    id: sequenceOf(message),
    messageId: stringOrNull(message.messageId),
    body: bodyBytes(message),
    contentType: message.contentType ?? null,
    contentEncoding: raw.properties?.contentEncoding ?? null,
    properties,
    systemProperties: Object.fromEntries(Object.entries(system).filter(([, value]) => value !== null)),
    failure: { reason: message.deadLetterReason ?? null, description: message.deadLetterErrorDescription ?? null },
    attempts: { count: message.deliveryCount ?? null, cap },
    history: historyOf(message, sourcePath),
    source,
    partitionKey: message.sessionId ?? message.partitionKey ?? null,
    enqueuedAt: message.enqueuedTimeUtc ?? null,
    deadLetteredAt: null,
  };
}
