// Discovery over the administration API: every queue and subscription has a DLQ (listed even when
// empty), plus the transfer DLQ where it holds messages. The SDK's list iterators page with
// $skip/$top, so namespaces with thousands of entities are read in full; topics are walked with a
// few in flight.
import type { QueueProperties, SubscriptionProperties } from "@azure/service-bus";
import type { DeadLetterQueue, QueueSettings } from "../types";
import { dlqId, entityPath, type EntityRef, type SubQueue } from "./address";
import { mapLimit, type ServicebusConnection } from "./client";

/** What the adapter needs of a queue's or subscription's settings. */
export interface EntitySettings {
  readonly entity: EntityRef;
  readonly maxDeliveryCount: number;
  readonly requiresSession: boolean;
  readonly lockDuration: string;
  readonly defaultMessageTimeToLive: string;
  readonly deadLetteringOnMessageExpiration: boolean;
  /** Entity name (no URL) messages are auto-forwarded to, or null. */
  readonly forwardTo: string | null;
  readonly forwardDeadLetteredMessagesTo: string | null;
  readonly status: string;
  /** Duplicate detection window in ms (queues only; null when off or on a subscription). */
  readonly duplicateWindowMs: number | null;
}

/** An ISO 8601 duration (PT10M, P1DT2H3.5S) in milliseconds; null when unparseable. */
export function durationMs(value: string | undefined): number | null {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value ?? "");
  if (!match) return null;
  const [, days, hours, minutes, seconds] = match;
  return ((Number(days ?? 0) * 24 + Number(hours ?? 0)) * 60 + Number(minutes ?? 0)) * 60_000 + Math.round(Number(seconds ?? 0) * 1000);
}

/** ISO 8601 durations; Service Bus's "no limit" is TimeSpan.MaxValue (P10675199DT2H48M5.4775807S). */
const NO_LIMIT = /^P10675199D/;

/** The admin API returns forwardTo as an absolute URL on Service Bus and as a name on the emulator. */
export function forwardTarget(value: string | undefined | null): string | null {
  if (!value) return null;
  return value.replace(/^[a-z]+:\/\/[^/]+\//i, "").replace(/\/+$/, "") || null;
}

function settingsOf(entity: EntityRef, properties: QueueProperties | SubscriptionProperties): EntitySettings {
  return {
    entity,
    maxDeliveryCount: properties.maxDeliveryCount,
    requiresSession: properties.requiresSession,
    lockDuration: properties.lockDuration,
    defaultMessageTimeToLive: properties.defaultMessageTimeToLive,
    deadLetteringOnMessageExpiration: properties.deadLetteringOnMessageExpiration,
    forwardTo: forwardTarget(properties.forwardTo),
    forwardDeadLetteredMessagesTo: forwardTarget(properties.forwardDeadLetteredMessagesTo),
    status: properties.status,
    duplicateWindowMs: "requiresDuplicateDetection" in properties && properties.requiresDuplicateDetection
      ? durationMs(properties.duplicateDetectionHistoryTimeWindow) : null,
  };
}

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterator) items.push(item);
  return items;
}

interface Counts {
  readonly activeMessageCount: number;
  readonly deadLetterMessageCount: number;
  readonly transferDeadLetterMessageCount: number;
}

function describe(settings: EntitySettings, counts: Counts, subQueue: SubQueue): DeadLetterQueue {
  const source = entityPath(settings.entity);
  const id = dlqId(settings.entity, subQueue);
  return {
    id,
    name: id,
    depth: subQueue === "deadLetter" ? counts.deadLetterMessageCount : counts.transferDeadLetterMessageCount,
    consumers: null, // Service Bus does not say who is attached
    sources: [{ id: source, name: source }],
    ordered: settings.requiresSession,
    maxDeliveryCount: settings.maxDeliveryCount,
    oldestMessageAt: null,
    details: {
      entityType: settings.entity.kind,
      subQueue,
      requiresSession: settings.requiresSession,
      lockDuration: settings.lockDuration,
      defaultMessageTimeToLive: NO_LIMIT.test(settings.defaultMessageTimeToLive) ? null : settings.defaultMessageTimeToLive,
      deadLetteringOnMessageExpiration: settings.deadLetteringOnMessageExpiration,
      forwardTo: settings.forwardTo,
      forwardDeadLetteredMessagesTo: settings.forwardDeadLetteredMessagesTo,
      duplicateDetectionWindowMs: settings.duplicateWindowMs,
      sourceActiveMessageCount: counts.activeMessageCount,
      status: settings.status,
    },
  };
}

const SETTINGS_TTL_MS = 60_000;

/** Lists DLQs and answers "what are this entity's settings" (cached for a minute). */
export class ServicebusDiscovery {
  private readonly settingsCache = new Map<string, { at: number; value: Promise<EntitySettings | null> }>();

  constructor(private readonly connection: ServicebusConnection) {}

  async list(): Promise<DeadLetterQueue[]> {
    return (await this.listing()).dlqs;
  }

  /** The DLQs and the settings of every queue and subscription, from one walk of the namespace. */
  private async listing(): Promise<{ dlqs: DeadLetterQueue[]; entities: EntitySettings[] }> {
    const { admin } = this.connection;
    const call = <T>(work: () => Promise<T>) => this.connection.call(null, work);
    const [queues, queueCounts, topics] = await Promise.all([
      call(() => collect(admin.listQueues())),
      call(() => collect(admin.listQueuesRuntimeProperties())),
      call(() => collect(admin.listTopics())),
    ]);
    const result: DeadLetterQueue[] = [];
    const entities: EntitySettings[] = [];
    const countsByQueue = new Map(queueCounts.map((counts) => [counts.name.toLowerCase(), counts]));
    for (const queue of queues) {
      const counts = countsByQueue.get(queue.name.toLowerCase());
      if (!counts) continue; // deleted between the two listings
      const settings = settingsOf({ kind: "queue", queue: queue.name }, queue);
      entities.push(settings);
      this.add(result, settings, counts);
    }
    const perTopic = await mapLimit(topics, 8, async (topic) => {
      const [subscriptions, subscriptionCounts] = await Promise.all([
        call(() => collect(admin.listSubscriptions(topic.name))),
        call(() => collect(admin.listSubscriptionsRuntimeProperties(topic.name))),
      ]);
      const countsBySub = new Map(subscriptionCounts.map((counts) => [counts.subscriptionName.toLowerCase(), counts]));
      return subscriptions.flatMap((subscription) => {
        const counts = countsBySub.get(subscription.subscriptionName.toLowerCase());
        if (!counts) return [];
        const entity: EntityRef = { kind: "subscription", topic: topic.name, subscription: subscription.subscriptionName };
        return [{ settings: settingsOf(entity, subscription), counts }];
      });
    });
    for (const { settings, counts } of perTopic.flat()) {
      entities.push(settings);
      this.add(result, settings, counts);
    }
    return { dlqs: result.sort((a, b) => a.id.localeCompare(b.id)), entities };
  }

  /**
   * Every queue and subscription (as a work entity) and its DLQ, for the hygiene checks. Service
   * Bus always has a DLQ and a delivery cap; what can go wrong is expiry without dead-lettering.
   */
  async queueSettings(): Promise<QueueSettings[]> {
    const { entities } = await this.listing();
    const result: QueueSettings[] = [];
    for (const settings of entities) {
      const path = entityPath(settings.entity);
      const dlq = dlqId(settings.entity, "deadLetter");
      const ttl = NO_LIMIT.test(settings.defaultMessageTimeToLive) ? null : durationMs(settings.defaultMessageTimeToLive);
      const common = { maxDeliveryCount: settings.maxDeliveryCount, deliveryCapSupported: true, retentionSeconds: null, ordered: settings.requiresSession, consumers: null };
      const deadLetterTo = settings.forwardDeadLetteredMessagesTo ?? dlq;
      result.push({
        ...common,
        id: path,
        name: path,
        role: "work",
        deadLetterTargets: [{ id: deadLetterTo, name: deadLetterTo }],
        deadLetterConfigured: true,
        messageTtlSeconds: ttl === null ? null : Math.round(ttl / 1000),
        deadLettersOnExpiry: settings.deadLetteringOnMessageExpiration,
      });
      result.push({ ...common, id: dlq, name: dlq, role: "dlq", deadLetterTargets: [], deadLetterConfigured: false, messageTtlSeconds: null, deadLettersOnExpiry: null });
    }
    return result.sort((a, b) => a.id.localeCompare(b.id));
  }

  private add(result: DeadLetterQueue[], settings: EntitySettings, counts: Counts): void {
    this.remember(settings);
    result.push(describe(settings, counts, "deadLetter"));
    if (counts.transferDeadLetterMessageCount > 0) result.push(describe(settings, counts, "transferDeadLetter"));
  }

  private remember(settings: EntitySettings): void {
    this.settingsCache.set(entityPath(settings.entity).toLowerCase(), { at: Date.now(), value: Promise.resolve(settings) });
  }

  /** The entity's settings, or null when it does not exist. */
  settings(entity: EntityRef): Promise<EntitySettings | null> {
    const key = entityPath(entity).toLowerCase();
    const cached = this.settingsCache.get(key);
    if (cached && Date.now() - cached.at < SETTINGS_TTL_MS) return cached.value;
    const value = this.fetchSettings(entity);
    this.settingsCache.set(key, { at: Date.now(), value });
    value.catch(() => this.settingsCache.delete(key));
    return value;
  }

  private async fetchSettings(entity: EntityRef): Promise<EntitySettings | null> {
    const { admin } = this.connection;
    const path = entityPath(entity);
    const exists = await this.connection.call(path, () =>
      entity.kind === "queue" ? admin.queueExists(entity.queue) : admin.subscriptionExists(entity.topic, entity.subscription),
    );
    if (!exists) return null;
    const properties: QueueProperties | SubscriptionProperties = await this.connection.call(path, async () =>
      entity.kind === "queue" ? await admin.getQueue(entity.queue) : await admin.getSubscription(entity.topic, entity.subscription),
    );
    return settingsOf(entity, properties);
  }

  /** Subscriptions of a topic with their settings, for routing a replay. */
  async subscriptions(topic: string): Promise<EntitySettings[]> {
    const subscriptions = await this.connection.call(topic, () => collect(this.connection.admin.listSubscriptions(topic)));
    return subscriptions.map((subscription) => {
      const settings = settingsOf({ kind: "subscription", topic, subscription: subscription.subscriptionName }, subscription);
      this.remember(settings);
      return settings;
    });
  }

  /** A topic's duplicate detection window in ms, or null when it has none. */
  async topicDuplicateWindowMs(topic: string): Promise<number | null> {
    const properties = await this.connection.call(topic, () => this.connection.admin.getTopic(topic));
    return properties.requiresDuplicateDetection ? durationMs(properties.duplicateDetectionHistoryTimeWindow) : null;
  }

  /** "queue", "topic", or null when no such entity exists. */
  async kindOf(name: string): Promise<"queue" | "topic" | null> {
    const { admin } = this.connection;
    if (await this.connection.call(name, () => admin.queueExists(name))) return "queue";
    if (await this.connection.call(name, () => admin.topicExists(name))) return "topic";
    return null;
  }
}
