// The one broker interface and the common dead-letter model (DESIGN.md, "The common model").
// Nothing in here names a broker SDK; each adapter in lib/brokers/<kind>/ maps onto these types.

export const BROKER_KINDS = ["servicebus", "sqs", "rabbitmq"] as const;
export type BrokerKind = (typeof BROKER_KINDS)[number];

/** A header / property value as brokers carry them. Binary stays binary. */
export type PropertyValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Date
  | Uint8Array
  | PropertyValue[]
  | { [key: string]: PropertyValue };

/** Side effects a read has on the broker where a true peek is impossible (rule 5). */
export type BrowseSideEffect =
  /** The message's receive / delivery counter goes up (SQS ApproximateReceiveCount). */
  | "increments-receive-count"
  /** Other consumers cannot see the message for a moment (SQS visibility timeout). */
  | "hides-briefly"
  /** Each requeue counts toward a delivery limit that dead-letters or drops the message (RabbitMQ quorum). */
  | "counts-toward-delivery-limit"
  /** The message is marked redelivered (RabbitMQ requeue). */
  | "marks-redelivered";

/** What a broker can do, declared once per adapter instead of broker details in the base type. */
export interface BrokerCapabilities {
  /** Browsing leaves the queue exactly as it was (Service Bus peek). */
  readonly truePeek: boolean;
  /** Side effects of a browse; empty exactly when truePeek is true. */
  readonly browseSideEffects: readonly BrowseSideEffect[];
  /** The broker has ordered partitions (sessions, FIFO message groups) that replays must keep. */
  readonly orderedPartitions: boolean;
  /** A replayed copy keeps the broker message id (false on SQS: it assigns a new one). */
  readonly preservesMessageId: boolean;
  /** The broker has its own redrive (SQS StartMessageMoveTask) the console could use. */
  readonly nativeRedrive: boolean;
  /** Several messages can be removed in one call. */
  readonly batchDelete: boolean;
  /** Bodies may be any bytes; false where the broker carries UTF-8 text only (SQS). */
  readonly binaryBodies: boolean;
  /** The largest message body + properties the broker accepts, in bytes. */
  readonly maxMessageBytes: number;
}

/** A queue, topic or subscription, as a broker names it. */
export interface QueueRef {
  /** Stable id inside the broker, used in URLs and API calls. */
  readonly id: string;
  /** Human-facing name. */
  readonly name: string;
}

/** One dead-letter queue as discovered on a broker. */
export interface DeadLetterQueue extends QueueRef {
  /** Messages in the DLQ (all of them: visible, in flight and delayed). */
  readonly depth: number;
  /** Where the broker splits the depth up (SQS visible / in flight / delayed). */
  readonly depthDetail?: Readonly<Record<string, number>>;
  /** Consumers attached to the DLQ; someone draining it silently shows here. */
  readonly consumers: number | null;
  /** Queues that dead-letter into this one: the default replay targets. */
  readonly sources: readonly QueueRef[];
  /** The DLQ keeps an order that replays must respect (FIFO, sessions). */
  readonly ordered: boolean;
  /** The delivery cap of the sources (maxReceiveCount, MaxDeliveryCount, delivery-limit). */
  readonly maxDeliveryCount: number | null;
  /** Enqueue time of the oldest message, where the broker says so without a browse. */
  readonly oldestMessageAt: Date | null;
  /** Broker-specific facts for display only (queue type, retention, TTL), never for logic. */
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

/** A queue's dead-letter configuration as the broker holds it, for the hygiene checks. */
export interface QueueSettings extends QueueRef {
  /** "dlq" when some queue dead-letters into it (or config names it a DLQ); "work" otherwise. */
  readonly role: "work" | "dlq";
  /**
   * Where its dead letters go: the queues they land in. Empty when the queue has no dead-letter
   * path, or (RabbitMQ) its dead-letter exchange routes nowhere, so failures are dropped.
   */
  readonly deadLetterTargets: readonly QueueRef[];
  /** A dead-letter path is configured (even one that routes nowhere). */
  readonly deadLetterConfigured: boolean;
  /** Deliveries before a message is dead-lettered; null when there is no cap. */
  readonly maxDeliveryCount: number | null;
  /** The broker can cap deliveries on this queue at all (false: RabbitMQ classic queues). */
  readonly deliveryCapSupported: boolean;
  /** How long the broker keeps a message, in seconds; null when unbounded or unknown. */
  readonly retentionSeconds: number | null;
  /** Messages expire after this many seconds; null when they never expire. */
  readonly messageTtlSeconds: number | null;
  /** Expired messages are dead-lettered (not dropped); null where the broker has no such switch. */
  readonly deadLettersOnExpiry: boolean | null;
  /** FIFO / session-enabled: replays must keep the partition key. */
  readonly ordered: boolean;
  readonly consumers: number | null;
}

/** One step in a message's life. */
export interface HistoryEvent {
  readonly kind: "enqueued" | "delivered" | "dead-lettered" | "replayed" | "edited";
  readonly at: Date | null;
  /** Where it happened (queue or exchange name). */
  readonly queue?: string;
  readonly reason?: string;
  /** How many times this step happened (x-death count, delivery count). */
  readonly count?: number;
  readonly detail?: string;
}

/** A message in a DLQ, in the one shape every broker maps to. */
export interface DeadLetter {
  /** Stable id inside its DLQ: what the console acts on. */
  readonly id: string;
  /** The broker message id, kept across replays where the broker allows it. */
  readonly messageId: string | null;
  /** The body, byte for byte. */
  readonly body: Uint8Array;
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
  /** Application properties / headers / message attributes, as the producer set them. */
  readonly properties: Readonly<Record<string, PropertyValue>>;
  /** Broker-assigned fields (sequence number, receive count, correlation id, ...). */
  readonly systemProperties: Readonly<Record<string, PropertyValue>>;
  readonly failure: { readonly reason: string | null; readonly description: string | null };
  /** Deliveries so far against the cap that sent it here. */
  readonly attempts: { readonly count: number | null; readonly cap: number | null };
  readonly history: readonly HistoryEvent[];
  /** Where it came from: the default replay target. */
  readonly source: QueueRef | null;
  /** Session id, FIFO group: messages sharing it replay in order. */
  readonly partitionKey: string | null;
  readonly enqueuedAt: Date | null;
  readonly deadLetteredAt: Date | null;
}

/** A page of a DLQ, oldest first. */
export interface BrowsePage {
  readonly messages: readonly DeadLetter[];
  /** Opaque cursor for the next page; null at the end of the queue. */
  readonly nextCursor: string | null;
  /** What the read did or refused to do (e.g. near a quorum delivery limit). */
  readonly warnings: readonly string[];
}

export interface BrowseOptions {
  readonly cursor?: string | null;
  /** At most this many messages. */
  readonly limit: number;
}

/** Headers a replayed copy carries so consumers and the console can tell (rule 3). */
export interface ReplayStamp {
  readonly operationId: string;
  readonly operator: string;
  /** How many times this message has been replayed, this time included. */
  readonly replayCount: number;
}

/** Where a replay or send goes; a null target means the message's own source. */
export interface Destination {
  /** Queue, topic or exchange id on the same broker. */
  readonly id: string;
  /** RabbitMQ routing key when the destination is an exchange. */
  readonly routingKey?: string;
  /**
   * The operator saw and accepted that the broker copies the message to more entities than its
   * source (a Service Bus topic fanning out to every matching subscription). Without it such a
   * replay is refused, never fanned out silently.
   */
  readonly allowFanOut?: boolean;
}

/** Where a replay of one message would land, as the broker will route it; nothing is sent. */
export interface ReplayRoute {
  /** The entity the console sends to (a queue, topic or exchange). */
  readonly sendTo: QueueRef;
  /** The entities that will hold a copy afterwards: the queue itself, or a topic's matching subscriptions. */
  readonly receivers: readonly QueueRef[];
  /** What the broker changes on the copy, in words ("SQS assigns a new message id; the original is kept in ..."). */
  readonly changes: readonly string[];
  /** Why the replay cannot go as asked (e.g. fan-out beyond the source without allowFanOut), or null. */
  readonly blocked: string | null;
}

/** One message to move out of a DLQ. */
export interface ReplayRequest {
  /** DeadLetter.id in the DLQ. */
  readonly id: string;
  readonly destination?: Destination;
  /** Edited body; absent means the original bytes. */
  readonly body?: Uint8Array;
  /** Edited properties; absent means the original ones. */
  readonly properties?: Readonly<Record<string, PropertyValue>>;
  readonly contentType?: string | null;
  /** Keep the DLQ copy after a successful send (edit-and-resend "keep original"). */
  readonly keepOriginal?: boolean;
  readonly stamp: ReplayStamp;
}

export type ReplayOutcome =
  | { readonly id: string; readonly status: "moved"; readonly sentMessageId: string | null }
  | { readonly id: string; readonly status: "sent-kept"; readonly sentMessageId: string | null }
  /** Sent and confirmed, but removing the DLQ copy failed: a duplicate, never a gap. */
  | { readonly id: string; readonly status: "sent-not-removed"; readonly sentMessageId: string | null; readonly error: string }
  | { readonly id: string; readonly status: "not-found" }
  | {
      readonly id: string;
      readonly status: "failed";
      readonly error: string;
      /** "locked": another receiver holds it (e.g. a parallel lane of the same bulk job); worth another try once that ends. */
      readonly retry?: "locked";
    };

export type RemoveOutcome =
  | { readonly id: string; readonly status: "removed" }
  | { readonly id: string; readonly status: "not-found" }
  | { readonly id: string; readonly status: "failed"; readonly error: string };

/** A message the console sends that is not moved out of a DLQ (restore from archive). */
export interface OutgoingMessage {
  readonly messageId: string | null;
  readonly body: Uint8Array;
  readonly contentType: string | null;
  readonly properties: Readonly<Record<string, PropertyValue>>;
  readonly partitionKey: string | null;
  readonly stamp: ReplayStamp;
}

export type SendOutcome =
  | { readonly index: number; readonly status: "sent"; readonly sentMessageId: string | null }
  | { readonly index: number; readonly status: "failed"; readonly error: string };

/**
 * A run of replay() calls on one DLQ that may keep broker state between them (a channel, a
 * consumer and the messages it has read ahead). It must give what it holds back to the DLQ when
 * another reader needs the queue, when it sits idle, and on close().
 */
export interface ReplaySession {
  replay(requests: readonly ReplayRequest[]): Promise<ReplayOutcome[]>;
  /** Give back what the session holds and end it; it must not be used afterwards. */
  close(): Promise<void>;
}

/** The one interface every broker adapter implements. Each call names queues by DeadLetterQueue.id. */
export interface BrokerAdapter {
  readonly kind: BrokerKind;
  /** The broker's configured name. */
  readonly name: string;
  readonly capabilities: BrokerCapabilities;

  /** Every dead-letter queue the broker has, with depth and sources. Throws BrokerError when down. */
  listDeadLetterQueues(): Promise<DeadLetterQueue[]>;
  /** Every queue with its dead-letter settings, for the hygiene checks. Optional: brokers without it are not checked. */
  listQueueSettings?(): Promise<QueueSettings[]>;
  /** A page of messages, oldest first, leaving the queue as it was (see capabilities for side effects). */
  browse(queueId: string, options: BrowseOptions): Promise<BrowsePage>;
  /**
   * Every message of the DLQ once, for the console's message index. Optional: without it the
   * index reads the DLQ through browse(), page by page. Same side effects as browse().
   */
  scan?(queueId: string): AsyncIterable<DeadLetter>;
  /** One message by its DeadLetter.id, or null when it is no longer there. */
  getMessage(queueId: string, id: string): Promise<DeadLetter | null>;
  /**
   * Where replaying this message (to its source, or to the destination) would land. Optional:
   * without it the console previews the destination, or the message's source, as the only receiver.
   */
  routeReplay?(queueId: string, message: DeadLetter, destination?: Destination): Promise<ReplayRoute>;
  /** Send, confirm, then remove each message (rule 2); per-key order kept (rule 4). */
  replay(queueId: string, requests: readonly ReplayRequest[]): Promise<ReplayOutcome[]>;
  /**
   * Consecutive replays of one DLQ, as a bulk job's lane makes them. Optional: without it the
   * lane calls replay() per batch. Same contract per call as replay().
   */
  openReplaySession?(queueId: string): ReplaySession;
  /** Send new messages to a destination (restore from archive). */
  send(destination: Destination, messages: readonly OutgoingMessage[]): Promise<SendOutcome[]>;
  /** Remove the given messages from the DLQ. */
  remove(queueId: string, ids: readonly string[]): Promise<RemoveOutcome[]>;
  /** Remove every message from the DLQ; returns how many, where the broker says. */
  purge(queueId: string): Promise<{ removed: number | null }>;
  /** Close connections; the adapter is unusable afterwards. */
  close(): Promise<void>;
}
