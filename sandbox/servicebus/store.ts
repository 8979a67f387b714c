// Message stores: one per queue, subscription, dead-letter queue and transfer dead-letter queue.
// Messages are kept as the bytes the sender sent; broker state (sequence number, lock, attempts,
// dead-letter reason) lives beside them and is stamped onto a copy at each delivery or peek, so a
// peek and a receive of the same message agree.
import { randomBytes, randomUUID } from "node:crypto";
import rhea from "rhea";
import type { EntitySettings } from "./config";

export type MessageState = "active" | "deferred" | "scheduled";

export interface StoredMessage {
  seq: number;
  bytes: Buffer;
  sessionId?: string;
  enqueuedAt: number;
  expiresAt?: number;
  /** Scheduled enqueue time; a scheduled message is invisible until then. */
  visibleAt: number;
  state: MessageState;
  /** Deliveries under a lock so far (the AMQP delivery-count header is attempts before this one). */
  attempts: number;
  lock?: { token: string; until: number; owner: object | undefined };
}

export interface SessionLock {
  owner: object;
  until: number;
}

const STATE_CODE: Record<MessageState, number> = { active: 0, deferred: 1, scheduled: 2 };

/** Lock tokens are compared as lowercase hex of the 16 bytes in wire order. */
export const tokenKey = (bytes: Buffer): string => bytes.toString("hex");

/** .NET writes GUIDs with the first three groups little-endian; the SDK sends tokens back that way. */
export function dotNetReorder(bytes: Buffer): Buffer {
  const b = Buffer.from(bytes);
  return Buffer.concat([b.subarray(0, 4).reverse(), b.subarray(4, 6).reverse(), b.subarray(6, 8).reverse(), b.subarray(8)]);
}

export class MessageStore {
  readonly messages = new Map<number, StoredMessage>();
  readonly sessionLocks = new Map<string, SessionLock>();
  readonly sessionStates = new Map<string, Buffer>();
  private nextSeq = 1;
  /** Called whenever a message may have become available; the AMQP layer pumps its consumers. */
  onAvailable: () => void = () => {};
  readonly createdAt = new Date();
  updatedAt = new Date();

  constructor(
    /** Entity path as clients address it, e.g. `orders` or `events/Subscriptions/audit/$DeadLetterQueue`. */
    readonly path: string,
    readonly settings: EntitySettings,
    readonly deadLetter?: MessageStore,
    readonly transferDeadLetter?: MessageStore,
  ) {}

  get isDeadLetter(): boolean {
    return this.deadLetter === undefined;
  }

  /** Stores a message as sent. A message without a message id gets one, as the broker does. */
  enqueue(bytes: Buffer, options: { scheduledAt?: number; now?: number } = {}): StoredMessage {
    const now = options.now ?? Date.now();
    let decoded = rhea.message.decode(bytes);
    const annotations = decoded.message_annotations ?? {};
    const scheduled = options.scheduledAt ?? dateMs(annotations["x-opt-scheduled-enqueue-time"]);
    if (decoded.message_id === undefined || decoded.message_id === null) {
      decoded = { ...decoded, message_id: randomUUID().replaceAll("-", "") };
      bytes = encode(decoded);
    }
    const visibleAt = scheduled !== undefined && scheduled > now ? scheduled : now;
    // Dead letters never expire (Service Bus keeps them until someone removes them).
    const ttl = this.isDeadLetter ? undefined : effectiveTtl(decoded.ttl, this.settings.defaultMessageTimeToLiveMs);
    const message: StoredMessage = {
      seq: this.nextSeq++,
      bytes,
      sessionId: decoded.group_id ?? undefined,
      enqueuedAt: visibleAt,
      expiresAt: ttl === undefined ? undefined : visibleAt + ttl,
      visibleAt,
      state: visibleAt > now ? "scheduled" : "active",
      attempts: 0,
    };
    this.messages.set(message.seq, message);
    this.updatedAt = new Date(now);
    if (message.state === "active") this.onAvailable();
    return message;
  }

  /** Moves a message to this entity's dead-letter queue with the reason as application properties. */
  deadLetterMessage(message: StoredMessage, reason: string, description: string, extra: Record<string, unknown> = {}): void {
    // Callers refuse dead-lettering inside a DLQ first (see canDeadLetter), so nothing is dropped here.
    if (!this.deadLetter) throw new Error(`${this.path} has no dead-letter queue`);
    this.messages.delete(message.seq);
    const decoded = rhea.message.decode(message.bytes);
    decoded.application_properties = {
      ...decoded.application_properties,
      ...extra,
      DeadLetterReason: reason,
      DeadLetterErrorDescription: description,
    };
    decoded.message_annotations = { ...decoded.message_annotations, "x-opt-deadletter-source": this.path };
    const moved = this.deadLetter.enqueue(encode(decoded));
    // A dead letter keeps its enqueue time and delivery count, like on Service Bus.
    moved.enqueuedAt = message.enqueuedAt;
    moved.attempts = message.attempts;
  }

  /** Expires messages, releases lapsed locks and activates due scheduled messages. */
  sweep(now = Date.now()): void {
    let available = false;
    for (const message of [...this.messages.values()]) {
      if (message.lock && message.lock.until <= now) {
        message.lock = undefined;
        if (this.releaseAfterAttempt(message)) available = true;
      }
      if (message.state === "scheduled" && message.visibleAt <= now) {
        message.state = "active";
        available = true;
      }
      if (!message.lock && message.expiresAt !== undefined && message.expiresAt <= now && message.state !== "scheduled") {
        if (this.settings.deadLetteringOnMessageExpiration) {
          this.deadLetterMessage(message, "TTLExpiredException", "The message expired and was dead lettered.");
        } else {
          this.messages.delete(message.seq);
        }
      }
    }
    for (const [id, lock] of this.sessionLocks) if (lock.until <= now) this.sessionLocks.delete(id);
    if (available) this.onAvailable();
  }

  /** After an abandon or a lapsed lock: back to the queue, or to the DLQ past maxDeliveryCount. */
  releaseAfterAttempt(message: StoredMessage): boolean {
    message.lock = undefined;
    if (!this.isDeadLetter && message.attempts >= this.settings.maxDeliveryCount) {
      this.deadLetterMessage(
        message,
        "MaxDeliveryCountExceeded",
        `Message could not be consumed after ${this.settings.maxDeliveryCount} delivery attempts.`,
      );
      return false;
    }
    return true;
  }

  /** The next message a receiver may take, in sequence order. */
  nextAvailable(sessionId: string | undefined, now = Date.now()): StoredMessage | undefined {
    for (const message of this.messages.values()) {
      if (message.state !== "active" || message.lock || message.visibleAt > now) continue;
      if (message.expiresAt !== undefined && message.expiresAt <= now) continue;
      if (this.settings.requiresSession && message.sessionId !== sessionId) continue;
      return message;
    }
    return undefined;
  }

  /** Locks a message for a receiver and returns the 16-byte lock token (the delivery tag). */
  lock(message: StoredMessage, owner: object | undefined, now = Date.now()): Buffer {
    const token = randomBytes(16);
    message.attempts += 1;
    message.lock = { token: tokenKey(token), until: now + this.settings.lockDurationMs, owner };
    return token;
  }

  /** Finds a locked message by token, in wire or .NET byte order. */
  findLocked(token: Buffer): StoredMessage | undefined {
    const keys = new Set([tokenKey(token), tokenKey(dotNetReorder(token))]);
    for (const message of this.messages.values()) {
      if (message.lock && keys.has(message.lock.token) && message.lock.until > Date.now()) return message;
    }
    return undefined;
  }

  /** Sessions with messages that no live receiver holds, oldest first. */
  unlockedSessionWithMessages(now = Date.now()): string | undefined {
    for (const message of this.messages.values()) {
      if (message.sessionId === undefined || message.state !== "active" || message.visibleAt > now) continue;
      const lock = this.sessionLocks.get(message.sessionId);
      if (!lock || lock.until <= now) return message.sessionId;
    }
    return undefined;
  }

  /** The message as a receiver or peeker sees it: the sender's bytes plus broker annotations. */
  render(message: StoredMessage, options: { lockedUntil?: number; peek?: boolean } = {}): Buffer {
    const decoded = rhea.message.decode(message.bytes);
    decoded.delivery_count = Math.max(0, options.peek ? message.attempts : message.attempts - 1);
    const annotations: Record<string, unknown> = {
      ...decoded.message_annotations,
      "x-opt-sequence-number": message.seq,
      "x-opt-enqueued-time": new Date(message.enqueuedAt),
    };
    if (message.state !== "active") annotations["x-opt-message-state"] = STATE_CODE[message.state];
    if (message.state === "scheduled") annotations["x-opt-scheduled-enqueue-time"] = new Date(message.visibleAt);
    const lockedUntil = options.lockedUntil ?? message.lock?.until;
    if (lockedUntil !== undefined && !options.peek) annotations["x-opt-locked-until"] = new Date(lockedUntil);
    decoded.message_annotations = annotations;
    if (message.expiresAt !== undefined && decoded.ttl === undefined) decoded.ttl = message.expiresAt - message.enqueuedAt;
    return encode(decoded);
  }

  counts(now = Date.now()): { active: number; scheduled: number; deferred: number; total: number; bytes: number } {
    let active = 0, scheduled = 0, deferred = 0, bytes = 0;
    for (const message of this.messages.values()) {
      bytes += message.bytes.length;
      if (message.state === "scheduled" && message.visibleAt > now) scheduled += 1;
      else if (message.state === "deferred") deferred += 1;
      else active += 1;
    }
    return { active, scheduled, deferred, total: this.messages.size, bytes };
  }
}

/** rhea types decode() and encode() with two different Message types; they are the same object. */
export function encode(message: object): Buffer {
  return rhea.message.encode(message as never);
}

/** The shorter of the message's TTL and the entity default, as Service Bus applies them. */
function effectiveTtl(messageTtl: number | undefined, entityTtl: number | undefined): number | undefined {
  const values = [messageTtl, entityTtl].filter((value): value is number => typeof value === "number" && value > 0);
  return values.length ? Math.min(...values) : undefined;
}

function dateMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value;
  return undefined;
}

/** AMQP longs arrive as numbers up to 2^53 and as 8-byte big-endian buffers above. */
export function longToNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (Buffer.isBuffer(value)) return Number(value.readBigInt64BE(0));
  if (value && typeof value === "object" && "value" in value) return longToNumber((value as { value: unknown }).value);
  throw new Error(`not a long: ${String(value)}`);
}
