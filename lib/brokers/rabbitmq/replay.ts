// Replay: publish each matched DLQ message with a confirm (mandatory), and only then ack the DLQ copy.
import type { Message, Options } from "amqplib";
import { BrokerError } from "../errors";
import type { Destination, ReplayOutcome, ReplayRequest, ReplayStamp } from "../types";
import { deathEntries, isBrokerBookkeeping, sourceQueueOf } from "./decode";
import { publishConfirmed, toHeaderValue } from "./publish";

/**
 * Replay headers. Named without the "x-" prefix on purpose: RabbitMQ 4.x treats x- headers as
 * broker-owned (message annotations), so ours could be dropped or reinterpreted there.
 */
export const REPLAY_HEADERS = {
  operationId: "dlq-console-operation-id",
  operator: "dlq-console-operator",
  replayCount: "dlq-console-replay-count",
} as const;

export function stampHeaders(stamp: ReplayStamp): Record<string, unknown> {
  return {
    [REPLAY_HEADERS.operationId]: stamp.operationId,
    [REPLAY_HEADERS.operator]: stamp.operator,
    [REPLAY_HEADERS.replayCount]: stamp.replayCount,
  };
}

export interface PublishTarget {
  exchange: string;
  routingKey: string;
}

/** Where a replay of `message` goes when the request names no destination. */
export function defaultTarget(message: Message, mode: "source-queue" | "original-exchange"): PublishTarget | null {
  const death = deathEntries(message)[0];
  if (mode === "original-exchange" && death?.exchange !== null && death?.exchange !== undefined) {
    return { exchange: death.exchange, routingKey: death.routingKeys[0] ?? "" };
  }
  const source = sourceQueueOf(message);
  return source ? { exchange: "", routingKey: source } : null;
}

/** The properties of the replayed copy: the original ones minus broker bookkeeping, plus the stamp. */
export function replayOptions(message: Message, request: ReplayRequest, username: string): Options.Publish {
  const { properties } = message;
  const original = Object.fromEntries(Object.entries(properties.headers ?? {}).filter(([key]) => !isBrokerBookkeeping(key)));
  const headers = request.properties
    ? Object.fromEntries(Object.entries(request.properties).map(([key, value]) => [key, toHeaderValue(value)]))
    : original;
  const options: Options.Publish = {
    headers: { ...headers, ...stampHeaders(request.stamp) },
    persistent: properties.deliveryMode === undefined ? true : properties.deliveryMode === 2,
  };
  const contentType = request.contentType === undefined ? properties.contentType : request.contentType;
  if (contentType) options.contentType = contentType;
  if (properties.contentEncoding) options.contentEncoding = properties.contentEncoding;
  if (properties.messageId) options.messageId = properties.messageId;
  if (properties.correlationId) options.correlationId = properties.correlationId;
  if (properties.replyTo) options.replyTo = properties.replyTo;
  if (properties.type) options.type = properties.type;
  if (properties.appId) options.appId = properties.appId;
  if (typeof properties.priority === "number") options.priority = properties.priority;
  if (typeof properties.timestamp === "number") options.timestamp = properties.timestamp;
  // The broker refuses a user-id that is not the publishing user's; keep it only when it is.
  if (properties.userId === username) options.userId = properties.userId;
  // expiration is left off: the broker removed it when the message expired (x-death keeps it),
  // and restoring it would expire the replay again.
  return options;
}

/** Publish-confirm one replay; the caller acks the DLQ copy only when this resolves. */
export async function publishReplay(
  broker: string,
  channel: Parameters<typeof publishConfirmed>[1],
  target: PublishTarget,
  content: Buffer,
  options: Options.Publish,
): Promise<void> {
  await publishConfirmed(broker, channel, target, content, options);
}

/** A destination as a publish target: an exchange when it has a routing key or is no queue. */
export function destinationTarget(destination: Destination, isQueue: boolean, fallbackKey: string): PublishTarget {
  if (destination.routingKey !== undefined) return { exchange: destination.id, routingKey: destination.routingKey };
  return isQueue ? { exchange: "", routingKey: destination.id } : { exchange: destination.id, routingKey: fallbackKey };
}

export function errorText(error: unknown): string {
  return error instanceof BrokerError || error instanceof Error ? error.message : String(error);
}

/** Sent and confirmed, but the acks may not have reached the broker: each moved outcome is a possible duplicate. */
export function lostAcks(outcomes: ReplayOutcome[], error: unknown): ReplayOutcome[] {
  return outcomes.map((outcome): ReplayOutcome =>
    outcome.status === "moved" ? { ...outcome, status: "sent-not-removed", error: `connection lost before the DLQ ack was confirmed: ${errorText(error)}` } : outcome,
  );
}
