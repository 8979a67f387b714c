// Emulator configuration: the entities a namespace starts with and their settings. Read from a
// JSON file by the CLI, or passed as an object in-process. Durations are milliseconds here (the
// admin endpoint renders them as ISO 8601 the way Service Bus does).
import { readFile } from "node:fs/promises";

export interface EntitySettings {
  maxDeliveryCount: number;
  lockDurationMs: number;
  /** Default time to live of a message; the message's own TTL wins when it is shorter. */
  defaultMessageTimeToLiveMs?: number;
  deadLetteringOnMessageExpiration: boolean;
  requiresSession: boolean;
  /** Name of a queue or topic every message is forwarded to (auto-forwarding). */
  forwardTo?: string;
}

export type RuleFilter =
  | { type: "true" }
  | { type: "false" }
  | {
      type: "correlation";
      correlationId?: string;
      messageId?: string;
      to?: string;
      replyTo?: string;
      subject?: string;
      sessionId?: string;
      replyToSessionId?: string;
      contentType?: string;
      applicationProperties?: Record<string, string | number | boolean>;
    };

export interface RuleConfig {
  name: string;
  filter: RuleFilter;
}

/** Duplicate detection: a message whose id was sent to the entity within the window is dropped. */
export interface DuplicateDetection {
  requiresDuplicateDetection?: boolean;
  /** Default: 10 minutes, as Service Bus. */
  duplicateDetectionHistoryTimeWindowMs?: number;
}

export interface QueueConfig extends Partial<EntitySettings>, DuplicateDetection {
  name: string;
}

export interface SubscriptionConfig extends Partial<EntitySettings> {
  name: string;
  /** Defaults to one `$Default` rule with a true filter, as Service Bus creates it. */
  rules?: RuleConfig[];
}

export interface TopicConfig extends DuplicateDetection {
  name: string;
  defaultMessageTimeToLiveMs?: number;
  subscriptions: SubscriptionConfig[];
}

export interface EmulatorConfig {
  /** Largest message (or batch transfer) a sender may send, in bytes; Standard tier is 256 KB. */
  maxMessageSizeBytes?: number;
  queues?: QueueConfig[];
  topics?: TopicConfig[];
}

export const DEFAULT_SETTINGS: EntitySettings = {
  maxDeliveryCount: 10,
  lockDurationMs: 60_000,
  deadLetteringOnMessageExpiration: false,
  requiresSession: false,
};

export const DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024;

export function settingsOf(entity: Partial<EntitySettings>, inherited?: Partial<EntitySettings>): EntitySettings {
  const pick = <K extends keyof EntitySettings>(key: K): EntitySettings[K] =>
    (entity[key] ?? inherited?.[key] ?? DEFAULT_SETTINGS[key]) as EntitySettings[K];
  return {
    maxDeliveryCount: pick("maxDeliveryCount"),
    lockDurationMs: pick("lockDurationMs"),
    defaultMessageTimeToLiveMs: pick("defaultMessageTimeToLiveMs"),
    deadLetteringOnMessageExpiration: pick("deadLetteringOnMessageExpiration"),
    requiresSession: pick("requiresSession"),
    forwardTo: entity.forwardTo,
  };
}

/** Reads a config file; throws with the file name when it is not the expected shape. */
export async function loadConfig(file: string): Promise<EmulatorConfig> {
  const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file}: expected an object with "queues" and/or "topics"`);
  }
  const config = parsed as EmulatorConfig;
  for (const queue of config.queues ?? []) if (typeof queue.name !== "string") throw new Error(`${file}: a queue has no name`);
  for (const topic of config.topics ?? []) {
    if (typeof topic.name !== "string" || !Array.isArray(topic.subscriptions)) {
      throw new Error(`${file}: a topic needs a name and a subscriptions array`);
    }
  }
  return config;
}
