// Queue ids. A DLQ's id is its Service Bus entity path, which is also what the SDK addresses:
//   queue DLQ            orders/$DeadLetterQueue
//   subscription DLQ     events/Subscriptions/billing/$DeadLetterQueue
//   transfer DLQ         orders/$Transfer/$DeadLetterQueue (also under a subscription)
// Source entities are the path without the suffix (`orders`, `events/Subscriptions/billing`).
// Paths are stable (entity names are fixed at creation), unique within a namespace, and URL-safe
// once encodeURIComponent has escaped the slashes and dollar signs.
import { brokerError } from "../errors";

export type SubQueue = "deadLetter" | "transferDeadLetter";

export type EntityRef =
  | { readonly kind: "queue"; readonly queue: string }
  | { readonly kind: "subscription"; readonly topic: string; readonly subscription: string };

export interface DlqAddress {
  /** The DLQ's id: its entity path. */
  readonly id: string;
  /** The entity the DLQ belongs to: the default replay source. */
  readonly entity: EntityRef;
  readonly subQueue: SubQueue;
}

const DLQ_SUFFIX = "/$DeadLetterQueue";
const TRANSFER_DLQ_SUFFIX = "/$Transfer/$DeadLetterQueue";
const SUBSCRIPTION = /^(.+)\/Subscriptions\/([^/]+)$/i;

/** `orders` or `events/Subscriptions/billing`. */
export function entityPath(entity: EntityRef): string {
  return entity.kind === "queue" ? entity.queue : `${entity.topic}/Subscriptions/${entity.subscription}`;
}

/** Parse `orders`, `events/Subscriptions/billing` into an entity. */
export function parseEntityPath(path: string): EntityRef {
  const match = SUBSCRIPTION.exec(path);
  return match ? { kind: "subscription", topic: match[1]!, subscription: match[2]! } : { kind: "queue", queue: path };
}

export function dlqId(entity: EntityRef, subQueue: SubQueue = "deadLetter"): string {
  return entityPath(entity) + (subQueue === "deadLetter" ? DLQ_SUFFIX : TRANSFER_DLQ_SUFFIX);
}

/** The DLQ an id names, or null when the id is no DLQ path. */
export function parseDlqId(id: string): DlqAddress | null {
  const lower = id.toLowerCase();
  let subQueue: SubQueue;
  let parent: string;
  if (lower.endsWith(TRANSFER_DLQ_SUFFIX.toLowerCase())) {
    subQueue = "transferDeadLetter";
    parent = id.slice(0, -TRANSFER_DLQ_SUFFIX.length);
  } else if (lower.endsWith(DLQ_SUFFIX.toLowerCase())) {
    subQueue = "deadLetter";
    parent = id.slice(0, -DLQ_SUFFIX.length);
  } else {
    return null;
  }
  if (!parent || parent.includes("$")) return null;
  return { id, entity: parseEntityPath(parent), subQueue };
}

/** The address, or a not-found BrokerError naming the broker and the id. */
export function requireDlq(broker: string, id: string): DlqAddress {
  const address = parseDlqId(id);
  if (!address) {
    throw brokerError("not-found", broker, `"${id}" is not a dead-letter queue (expected <entity>/$DeadLetterQueue)`, { queue: id });
  }
  return address;
}

/** DeadLetter ids are DLQ sequence numbers in decimal, without leading zeros. */
export function isSequenceNumber(id: string): boolean {
  return /^(0|[1-9]\d{0,18})$/.test(id);
}
