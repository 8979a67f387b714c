// Mapping between SQS messages and the common DeadLetter model, both ways.
import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { DeadLetter, HistoryEvent, PropertyValue, QueueRef } from "../types";
import { queueNameOf } from "./client";
import type { RedriveSource } from "./discovery";

/**
 * Message attribute carrying the id of the message as first dead-lettered. SQS gives every send a
 * new MessageId, so a replayed copy keeps the original here; consumers dedupe on it, and a copy
 * replayed again keeps the value it already has.
 */
export const ORIGINAL_ID_ATTRIBUTE = "dlc.original-message-id";
/** Message attribute with the replay metadata as JSON: {operationId, operator, replayCount, replayedAt, from}. */
export const REPLAY_ATTRIBUTE = "dlc.replay";
/** The attributes the console adds to every copy it sends. */
export const CONSOLE_ATTRIBUTES = [ORIGINAL_ID_ATTRIBUTE, REPLAY_ATTRIBUTE] as const;

/** System attributes asked for on every receive. */
export const SYSTEM_ATTRIBUTES = [
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "DeadLetterQueueSourceArn",
  "MessageGroupId",
  "MessageDeduplicationId",
  "SequenceNumber",
  "SenderId",
  "AWSTraceHeader",
] as const;

export interface DecodeContext {
  readonly queueName: string;
  /** The DLQ's sources from discovery; one source names a message's origin when SQS does not. */
  readonly sources: readonly RedriveSource[];
  readonly reasonAttributes: readonly string[];
  readonly contentTypeAttributes: readonly string[];
}

const encoder = new TextEncoder();

/** One SQS message attribute as a property value: String → string, Number → number (bigint past 2^53), Binary → bytes. */
export function decodeAttribute(value: MessageAttributeValue): PropertyValue {
  const type = value.DataType ?? "String";
  if (type.startsWith("Binary")) return value.BinaryValue ?? new Uint8Array();
  const text = value.StringValue ?? "";
  if (type.startsWith("Number")) {
    if (/^-?\d+$/.test(text) && !Number.isSafeInteger(Number(text))) return BigInt(text);
    const number = Number(text);
    return Number.isFinite(number) && String(number) === text ? number : text;
  }
  return text;
}

/** A property value as an SQS attribute; `previousType` keeps a custom type label (e.g. "String.json"). */
export function encodeAttribute(value: PropertyValue, previousType?: string): MessageAttributeValue {
  const keep = (base: string) => (previousType?.startsWith(base) ? previousType : base);
  if (value instanceof Uint8Array) return { DataType: keep("Binary"), BinaryValue: value };
  if (typeof value === "number" || typeof value === "bigint") return { DataType: keep("Number"), StringValue: String(value) };
  if (typeof value === "string") return { DataType: keep("String"), StringValue: value };
  if (value instanceof Date) return { DataType: "String", StringValue: value.toISOString() };
  if (value === null || typeof value === "boolean") return { DataType: "String", StringValue: String(value) };
  return { DataType: "String.json", StringValue: JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner)) };
}

/** The order SQS gives nothing for: sent time, then FIFO sequence number, then message id. */
export function orderKey(message: Message): readonly [number, bigint, string] {
  const attributes = message.Attributes ?? {};
  return [Number(attributes.SentTimestamp ?? 0), BigInt(attributes.SequenceNumber ?? 0), message.MessageId ?? ""];
}

export function compareOrderKeys(left: readonly [number, bigint, string], right: readonly [number, bigint, string]): number {
  if (left[0] !== right[0]) return left[0] - right[0];
  if (left[1] !== right[1]) return left[1] < right[1] ? -1 : 1;
  return left[2] < right[2] ? -1 : left[2] > right[2] ? 1 : 0;
}

/** The source queue a message came from: DeadLetterQueueSourceArn, else the DLQ's only source. */
export function sourceOf(message: Message, sources: readonly RedriveSource[]): RedriveSource | null {
  const arn = message.Attributes?.DeadLetterQueueSourceArn;
  if (arn) {
    const name = queueNameOf(arn);
    return sources.find((source) => source.name === name) ?? { name, arn, maxReceiveCount: null, retentionSeconds: null };
  }
  return sources.length === 1 ? sources[0]! : null;
}

const dateOf = (millis: string | undefined): Date | null => (millis && Number(millis) > 0 ? new Date(Number(millis)) : null);

/** An SQS message received from a DLQ in the common model. */
export function decodeMessage(message: Message, context: DecodeContext): DeadLetter {
  const system = message.Attributes ?? {};
  const rawAttributes = message.MessageAttributes ?? {};
  const properties: Record<string, PropertyValue> = {};
  const customTypes: Record<string, PropertyValue> = {};
  for (const [name, value] of Object.entries(rawAttributes)) {
    properties[name] = decodeAttribute(value);
    if (value.DataType && !["String", "Number", "Binary"].includes(value.DataType)) customTypes[name] = value.DataType;
  }
  const stringProperty = (names: readonly string[]) => {
    for (const name of names) {
      const value = rawAttributes[name]?.StringValue;
      if (value) return value;
    }
    return null;
  };

  const source = sourceOf(message, context.sources);
  const receiveCount = system.ApproximateReceiveCount ? Number(system.ApproximateReceiveCount) : null;
  const cap = source?.maxReceiveCount ?? null;
  const reason = stringProperty(context.reasonAttributes);
  const sentAt = dateOf(system.SentTimestamp);

  const systemProperties: Record<string, PropertyValue> = { MessageId: message.MessageId ?? null };
  for (const name of SYSTEM_ATTRIBUTES) {
    const value = system[name];
    if (value === undefined) continue;
    if (name.endsWith("Timestamp")) systemProperties[name] = dateOf(value);
    else if (name === "ApproximateReceiveCount") systemProperties[name] = Number(value);
    else systemProperties[name] = value;
  }
  if (Object.keys(customTypes).length > 0) systemProperties.MessageAttributeDataTypes = customTypes;

  const history: HistoryEvent[] = [{ kind: "enqueued", at: sentAt, queue: source?.name }];
  if (receiveCount !== null) {
    history.push({ kind: "delivered", at: dateOf(system.ApproximateFirstReceiveTimestamp), count: receiveCount, detail: "first receive; the count includes the console's own reads" });
  }
  history.push({ kind: "dead-lettered", at: null, queue: context.queueName, reason: reason ?? undefined, count: cap ?? undefined });
  const replay = parseReplayAttribute(rawAttributes[REPLAY_ATTRIBUTE]?.StringValue);
  if (replay) history.push({ kind: "replayed", at: replay.at, detail: replay.detail, count: replay.count });

  return {
    id: message.MessageId ?? "",
    messageId: rawAttributes[ORIGINAL_ID_ATTRIBUTE]?.StringValue ?? message.MessageId ?? null,
    // SQS bodies are text: these are its UTF-8 bytes. A base64 body stays base64 text.
    body: encoder.encode(message.Body ?? ""),
    contentType: stringProperty(context.contentTypeAttributes),
    contentEncoding: null,
    properties,
    systemProperties,
    failure: {
      reason,
      description:
        receiveCount !== null
          ? `SQS records no failure reason: received ${receiveCount} time(s)${cap !== null ? ` against maxReceiveCount ${cap}` : ""}.`
          : null,
    },
    attempts: { count: receiveCount, cap },
    history,
    source: source ? ({ id: source.name, name: source.name } satisfies QueueRef) : null,
    partitionKey: system.MessageGroupId ?? null,
    enqueuedAt: sentAt,
    // SQS does not record when a message moved to the DLQ.
    deadLetteredAt: null,
  };
}

function parseReplayAttribute(raw: string | undefined): { at: Date | null; detail: string; count?: number } | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as { operationId?: string; operator?: string; replayCount?: number; replayedAt?: string; from?: string };
    return {
      at: value.replayedAt ? new Date(value.replayedAt) : null,
      detail: `operation ${value.operationId ?? "?"} by ${value.operator ?? "?"} from ${value.from ?? "?"}`,
      count: typeof value.replayCount === "number" ? value.replayCount : undefined,
    };
  } catch (error) {
    if (error instanceof SyntaxError) return { at: null, detail: raw };
    throw error;
  }
}

/** Bytes SQS counts toward its size limit: body plus each attribute's name, type and value. */
export function messageSize(body: string, attributes: Record<string, MessageAttributeValue>): number {
  let size = Buffer.byteLength(body, "utf8");
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(value.DataType ?? "", "utf8");
    size += value.BinaryValue ? value.BinaryValue.byteLength : Buffer.byteLength(value.StringValue ?? "", "utf8");
  }
  return size;
}
