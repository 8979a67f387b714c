// Turns an AMQP message from a DLQ into the common DeadLetter model, and gives it a stable id.
import { createHash } from "node:crypto";
import type { Message } from "amqplib";
import type { DeadLetter, HistoryEvent, PropertyValue } from "../types";

/** Headers the broker writes when it dead-letters or redelivers; never copied onto a replay. */
export function isBrokerBookkeeping(header: string): boolean {
  return header === "x-death" || header === "x-delivery-count" || header.startsWith("x-first-death-") || header.startsWith("x-last-death-");
}

/** Headers producers and frameworks commonly use for the exception that sent a message here. */
const FAILURE_DESCRIPTION_HEADERS = [
  "x-exception-message",
  "x-exception",
  "exception-message",
  "error-message",
  "error",
  "MT-Fault-Message",
  "NServiceBus.ExceptionInfo.Message",
];

/** An AMQP field-table value as the common PropertyValue (timestamps → Date, bytes → Uint8Array). */
export function toPropertyValue(value: unknown): PropertyValue {
  if (value === undefined || value === null) return null;
  if (Buffer.isBuffer(value)) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(toPropertyValue);
  if (typeof value === "object") {
    const tagged = value as { "!"?: string; value?: unknown };
    if (tagged["!"] === "timestamp") return new Date(Number(tagged.value) * 1000);
    if (tagged["!"] === "decimal") {
      const { places, digits } = tagged.value as { places: number; digits: number };
      return digits / 10 ** places;
    }
    if (value instanceof Date) return value;
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toPropertyValue(inner)]));
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return value;
  return String(value);
}

/** Canonical JSON for hashing: sorted keys, bytes as hex, so equal content hashes equal. */
function canonical(value: unknown): string {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return JSON.stringify(`hex:${Buffer.from(value).toString("hex")}`);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(",")}}`;
  }
  return JSON.stringify(typeof value === "bigint" ? value.toString() : (value ?? null));
}

/**
 * The stable id of a message inside its DLQ. Rule (also in README.md): the AMQP message-id when the
 * producer set one; otherwise "sha256:" + the first 32 hex digits of a SHA-256 over the body and the
 * producer's properties and headers, leaving out what the broker changes (x-death, x-first-death-*,
 * x-last-death-*, x-delivery-count, redelivered), so the id survives requeues and repeated dead-lettering.
 */
export function stableId(message: Message): string {
  const { properties } = message;
  if (typeof properties.messageId === "string" && properties.messageId.length > 0) return properties.messageId;
  const headers = Object.fromEntries(Object.entries(properties.headers ?? {}).filter(([key]) => !isBrokerBookkeeping(key)));
  const producerFields = [
    properties.contentType, properties.contentEncoding, properties.correlationId, properties.replyTo,
    properties.timestamp, properties.type, properties.appId, properties.userId, properties.priority, headers,
  ];
  const digest = createHash("sha256").update(message.content).update(canonical(producerFields)).digest("hex");
  return `sha256:${digest.slice(0, 32)}`;
}

interface DeathEntry {
  queue: string | null;
  reason: string | null;
  count: number;
  time: Date | null;
  exchange: string | null;
  routingKeys: string[];
}

/** The x-death entries, most recent first, as the broker keeps them. */
export function deathEntries(message: Message): DeathEntry[] {
  const raw: unknown = message.properties.headers?.["x-death"];
  if (!Array.isArray(raw)) return [];
  return (raw as Record<string, unknown>[]).map((entry) => {
    const time = toPropertyValue(entry.time);
    return {
      queue: typeof entry.queue === "string" ? entry.queue : null,
      reason: typeof entry.reason === "string" ? entry.reason : null,
      count: Number(entry.count ?? 0),
      time: time instanceof Date ? time : null,
      exchange: typeof entry.exchange === "string" ? entry.exchange : null,
      routingKeys: Array.isArray(entry["routing-keys"]) ? entry["routing-keys"].map(String) : [],
    };
  });
}

/** The queue that dead-lettered the message into this DLQ: x-death[0], else x-first-death-queue. */
export function sourceQueueOf(message: Message): string | null {
  const first = message.properties.headers?.["x-first-death-queue"];
  return deathEntries(message)[0]?.queue ?? (typeof first === "string" ? first : null);
}

/** Decode one message; `deliveryCaps` maps a source queue to its delivery limit where it has one. */
export function decodeMessage(message: Message, deliveryCaps: ReadonlyMap<string, number | null> = new Map()): DeadLetter {
  const { properties, fields } = message;
  const headers = properties.headers ?? {};
  const deaths = deathEntries(message);
  const latest = deaths[0];
  const producerHeaders: Record<string, PropertyValue> = {};
  const system: Record<string, PropertyValue> = {};
  for (const [key, value] of Object.entries(headers)) {
    (isBrokerBookkeeping(key) ? system : producerHeaders)[key] = toPropertyValue(value);
  }
  const amqpProperties = ["correlationId", "replyTo", "deliveryMode", "priority", "expiration", "timestamp", "type", "appId", "userId", "clusterId"] as const;
  for (const name of amqpProperties) {
    const value = properties[name];
    if (value !== undefined && value !== null) system[name] = name === "timestamp" ? new Date(Number(value) * 1000) : toPropertyValue(value);
  }
  system.redelivered = fields.redelivered;
  system.routingKey = fields.routingKey;
  system.exchange = fields.exchange;

  const descriptionHeader = FAILURE_DESCRIPTION_HEADERS.find((name) => typeof headers[name] === "string" || Buffer.isBuffer(headers[name]));
  const firstReason = headers["x-first-death-reason"];
  const reason = latest?.reason ?? (typeof firstReason === "string" ? firstReason : null);
  const sourceName = sourceQueueOf(message);
  const deliveryCount = headers["x-delivery-count"];
  const enqueuedAt = typeof properties.timestamp === "number" ? new Date(properties.timestamp * 1000) : null;

  const history: HistoryEvent[] = [];
  if (enqueuedAt) history.push({ kind: "enqueued", at: enqueuedAt });
  for (const death of [...deaths].reverse()) {
    history.push({
      kind: "dead-lettered",
      at: death.time,
      ...(death.queue ? { queue: death.queue } : {}),
      ...(death.reason ? { reason: death.reason } : {}),
      count: death.count,
      detail: `exchange "${death.exchange ?? ""}", routing keys [${death.routingKeys.join(", ")}]`,
    });
  }

  return {
    id: stableId(message),
    messageId: typeof properties.messageId === "string" && properties.messageId ? properties.messageId : null,
    body: new Uint8Array(message.content.buffer, message.content.byteOffset, message.content.byteLength).slice(),
    contentType: typeof properties.contentType === "string" ? properties.contentType : null,
    contentEncoding: typeof properties.contentEncoding === "string" ? properties.contentEncoding : null,
    properties: producerHeaders,
    systemProperties: system,
    failure: {
      reason,
      description: descriptionHeader
        ? String(headers[descriptionHeader])
        : latest
          ? `${latest.reason ?? "dead-lettered"} by ${latest.queue ?? "?"} (${latest.count}×)`
          : null,
    },
    attempts: {
      count: deliveryCount !== undefined ? Number(deliveryCount) : latest ? latest.count : null,
      cap: sourceName ? (deliveryCaps.get(sourceName) ?? null) : null,
    },
    history,
    source: sourceName ? { id: sourceName, name: sourceName } : null,
    partitionKey: null,
    enqueuedAt,
    deadLetteredAt: latest?.time ?? null,
  };
}
