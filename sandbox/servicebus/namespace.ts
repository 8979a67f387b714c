// The namespace: queues, topics and subscriptions built from the config, address resolution, and
// the routing of a sent message (topic fan-out through rules, auto-forwarding).
import rhea from "rhea";
import {
  DEFAULT_MAX_MESSAGE_SIZE, settingsOf, type DuplicateDetection, type EmulatorConfig, type EntitySettings, type RuleConfig, type RuleFilter,
} from "./config";
import { encode, MessageStore } from "./store";

/** Message ids an entity with duplicate detection has seen, and when (ms). */
export interface DuplicateWindow {
  windowMs: number;
  seen: Map<string, number>;
}

export interface QueueEntity {
  kind: "queue";
  name: string;
  store: MessageStore;
  duplicates?: DuplicateWindow;
}

export interface SubscriptionEntity {
  kind: "subscription";
  topic: string;
  name: string;
  store: MessageStore;
  rules: RuleConfig[];
}

export interface TopicEntity {
  kind: "topic";
  name: string;
  defaultMessageTimeToLiveMs?: number;
  /** Holds the topic's scheduled messages until they are due, then fans them out. */
  scheduled: MessageStore;
  subscriptions: Map<string, SubscriptionEntity>;
  createdAt: Date;
  duplicates?: DuplicateWindow;
}

/** What an AMQP address names. `store` is absent for a topic (which one only sends to). */
export interface Resolved {
  entity: QueueEntity | TopicEntity | SubscriptionEntity;
  store?: MessageStore;
}

const DLQ = "$DeadLetterQueue";
const TDLQ = "$Transfer/$DeadLetterQueue";

function makeStore(path: string, settings: EntitySettings): MessageStore {
  const dlqSettings = { ...settings, defaultMessageTimeToLiveMs: undefined, requiresSession: false, forwardTo: undefined };
  return new MessageStore(path, settings, new MessageStore(`${path}/${DLQ}`, dlqSettings), new MessageStore(`${path}/${TDLQ}`, dlqSettings));
}

export class Namespace {
  readonly queues = new Map<string, QueueEntity>();
  readonly topics = new Map<string, TopicEntity>();
  readonly maxMessageSize: number;

  constructor(config: EmulatorConfig) {
    this.maxMessageSize = config.maxMessageSizeBytes ?? DEFAULT_MAX_MESSAGE_SIZE;
    for (const queue of config.queues ?? []) {
      this.queues.set(queue.name.toLowerCase(), {
        kind: "queue", name: queue.name, store: makeStore(queue.name, settingsOf(queue)), duplicates: duplicateWindow(queue),
      });
    }
    for (const topic of config.topics ?? []) {
      const subscriptions = new Map<string, SubscriptionEntity>();
      for (const sub of topic.subscriptions) {
        const path = `${topic.name}/Subscriptions/${sub.name}`;
        const settings = settingsOf(sub, { defaultMessageTimeToLiveMs: topic.defaultMessageTimeToLiveMs });
        subscriptions.set(sub.name.toLowerCase(), {
          kind: "subscription", topic: topic.name, name: sub.name, store: makeStore(path, settings),
          rules: sub.rules ?? [{ name: "$Default", filter: { type: "true" } }],
        });
      }
      const scheduled = new MessageStore(`${topic.name}/$scheduled`, settingsOf({ defaultMessageTimeToLiveMs: topic.defaultMessageTimeToLiveMs }));
      const entity: TopicEntity = {
        kind: "topic", name: topic.name, defaultMessageTimeToLiveMs: topic.defaultMessageTimeToLiveMs, scheduled, subscriptions, createdAt: new Date(),
        duplicates: duplicateWindow(topic),
      };
      // Scheduled topic messages are fanned out when they become due (see sweep()).
      this.topics.set(topic.name.toLowerCase(), entity);
    }
  }

  /** Every store that holds messages, for sweeping. */
  *stores(): Generator<MessageStore> {
    const withDlq = function* (store: MessageStore) {
      yield store;
      if (store.deadLetter) yield store.deadLetter;
      if (store.transferDeadLetter) yield store.transferDeadLetter;
    };
    for (const queue of this.queues.values()) yield* withDlq(queue.store);
    for (const topic of this.topics.values()) for (const sub of topic.subscriptions.values()) yield* withDlq(sub.store);
  }

  sweep(now = Date.now()): void {
    for (const store of this.stores()) store.sweep(now);
    for (const topic of this.topics.values()) {
      for (const message of [...topic.scheduled.messages.values()]) {
        if (message.visibleAt > now) continue;
        topic.scheduled.messages.delete(message.seq);
        this.fanOut(topic, message.bytes, 0);
      }
    }
  }

  /** Resolves `queue`, `queue/$DeadLetterQueue`, `topic`, `topic/Subscriptions/sub[/$DeadLetterQueue]`. */
  resolve(rawAddress: string): Resolved | undefined {
    const address = rawAddress.replace(/^[a-z]+:\/\/[^/]+\//i, "").replace(/\/+$/, "");
    const parts = address.split("/");
    const lower = parts.map((part) => part.toLowerCase());
    const suffix = (store: MessageStore, rest: string[]): MessageStore | undefined => {
      const tail = rest.join("/").toLowerCase();
      if (tail === "") return store;
      if (tail === DLQ.toLowerCase()) return store.deadLetter;
      if (tail === TDLQ.toLowerCase()) return store.transferDeadLetter;
      return undefined;
    };
    const queue = this.queues.get(lower[0] ?? "");
    if (queue) {
      const store = suffix(queue.store, parts.slice(1));
      return store ? { entity: queue, store } : undefined;
    }
    const topic = this.topics.get(lower[0] ?? "");
    if (!topic) return undefined;
    if (parts.length === 1) return { entity: topic };
    if (lower[1] !== "subscriptions") return undefined;
    const sub = topic.subscriptions.get(lower[2] ?? "");
    if (!sub) return undefined;
    const store = suffix(sub.store, parts.slice(3));
    return store ? { entity: sub, store } : undefined;
  }

  /** Delivers a sent message to a queue or topic, following forwardTo. Returns false if no entity. */
  send(address: string, bytes: Buffer, hops = 0): boolean {
    const target = this.resolve(address);
    if (!target) return false;
    // Accepted but not stored, as Service Bus does with a duplicate inside the window.
    if ((target.entity.kind === "queue" || target.entity.kind === "topic") && isDuplicate(target.entity.duplicates, bytes)) return true;
    if (target.entity.kind === "topic") {
      const scheduledAt = scheduledTime(bytes);
      if (scheduledAt !== undefined && scheduledAt > Date.now()) target.entity.scheduled.enqueue(bytes);
      else this.fanOut(target.entity, bytes, hops);
      return true;
    }
    this.enqueueInto(target.store!, bytes, hops);
    return true;
  }

  /** Enqueues into a queue or subscription store, auto-forwarding like Service Bus. */
  enqueueInto(store: MessageStore, bytes: Buffer, hops: number): void {
    const forwardTo = store.settings.forwardTo;
    if (forwardTo && !store.isDeadLetter) {
      // Service Bus allows four hops; a message that cannot be forwarded goes to the transfer DLQ.
      if (hops < 4 && this.send(forwardTo, bytes, hops + 1)) return;
      const parked = store.transferDeadLetter!.enqueue(bytes);
      const decoded = rhea.message.decode(parked.bytes);
      decoded.application_properties = {
        ...decoded.application_properties,
        DeadLetterReason: hops >= 4 ? "MaxTransferHopCountExceeded" : "MessagingEntityNotFound",
        DeadLetterErrorDescription: `Could not forward to '${forwardTo}'.`,
      };
      parked.bytes = encode(decoded);
      return;
    }
    store.enqueue(bytes);
  }

  private fanOut(topic: TopicEntity, bytes: Buffer, hops: number): void {
    const message = rhea.message.decode(bytes);
    for (const sub of topic.subscriptions.values()) {
      if (sub.rules.some((rule) => matches(rule.filter, message))) this.enqueueInto(sub.store, bytes, hops);
    }
  }
}

function duplicateWindow(config: DuplicateDetection): DuplicateWindow | undefined {
  if (!config.requiresDuplicateDetection) return undefined;
  return { windowMs: config.duplicateDetectionHistoryTimeWindowMs ?? 600_000, seen: new Map() };
}

/** True when the message id was sent within the window; records it otherwise. */
function isDuplicate(window: DuplicateWindow | undefined, bytes: Buffer, now = Date.now()): boolean {
  if (!window) return false;
  const id = rhea.message.decode(bytes).message_id;
  if (id === undefined || id === null) return false;
  const key = String(id);
  const seenAt = window.seen.get(key);
  if (seenAt !== undefined && now - seenAt < window.windowMs) return true;
  window.seen.set(key, now);
  return false;
}

function scheduledTime(bytes: Buffer): number | undefined {
  const value = rhea.message.decode(bytes).message_annotations?.["x-opt-scheduled-enqueue-time"];
  return value instanceof Date ? value.getTime() : typeof value === "number" ? value : undefined;
}

/** True and false filters, and correlation filters (every set field must equal the message's). */
export function matches(filter: RuleFilter, message: ReturnType<typeof rhea.message.decode>): boolean {
  if (filter.type === "true") return true;
  if (filter.type === "false") return false;
  const fields: [string | undefined, unknown][] = [
    [filter.correlationId, message.correlation_id], [filter.messageId, message.message_id], [filter.to, message.to],
    [filter.replyTo, message.reply_to], [filter.subject, message.subject], [filter.sessionId, message.group_id],
    [filter.replyToSessionId, message.reply_to_group_id], [filter.contentType, message.content_type],
  ];
  if (fields.some(([want, have]) => want !== undefined && String(have) !== want)) return false;
  const props = message.application_properties ?? {};
  return Object.entries(filter.applicationProperties ?? {}).every(([key, want]) => props[key] === want);
}
