// The AMQP side: CBS, entity links (send, peek-lock and receive-and-delete receive, sessions),
// settlement outcomes and the drain handshake, on a rhea container acting as the broker.
import rhea, { type Connection, type Delivery, type EventContext, type Receiver, type Sender } from "rhea";
import { handleManagement, respond } from "./management";
import type { Namespace } from "./namespace";
import type { MessageStore, StoredMessage } from "./store";

interface Consumer {
  link: Sender;
  store: MessageStore;
  receiveAndDelete: boolean;
  sessionId?: string;
}

/** rhea keeps drain state private; the fields it uses are read here to answer a drain at zero credit. */
interface DrainState { _draining: boolean; _drained: boolean; credit: number; delivery_count: number; issue_flow: boolean }

/** Link fields rhea keeps but does not type: the attach frames we answer with. */
interface LinkInternals { local: { attach: Record<string, unknown> }; remote: { attach: Record<string, unknown> } }
const internals = (link: Sender | Receiver) => link as unknown as LinkInternals;

/** Outcome constructors rhea has but does not type. */
const outcomes = rhea.message as unknown as { rejected(fields: { error: { condition: string; description: string } }): { described(): unknown } };
const rejected = (condition: string, description: string) => outcomes.rejected({ error: { condition, description } }).described() as never;

const TICKS_AT_EPOCH = 621355968000000000n;

export function dotNetTicks(ms: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(BigInt(ms) * 10000n + TICKS_AT_EPOCH);
  return buffer;
}

export class AmqpBroker {
  readonly container = rhea.create_container({ id: "servicebus-emulator" });
  private readonly consumers = new Set<Consumer>();
  private readonly deliveries = new WeakMap<Delivery, { consumer: Consumer; message: StoredMessage }>();

  constructor(private readonly ns: Namespace) {
    for (const store of ns.stores()) store.onAvailable = () => setImmediate(() => this.pumpStore(store));
    this.container.on("sender_open", (context: EventContext) => this.onSenderOpen(context.sender!));
    this.container.on("receiver_open", (context: EventContext) => this.onReceiverOpen(context.receiver!));
    this.container.on("message", (context: EventContext) => this.onMessage(context));
    this.container.on("sender_close", (context: EventContext) => this.dropConsumer(context.sender!));
    this.container.on("connection_close", (context: EventContext) => this.dropConnection(context.connection));
    this.container.on("disconnected", (context: EventContext) => this.dropConnection(context.connection));
    this.container.on("error", () => {});
  }

  pumpAll(): void {
    for (const consumer of this.consumers) this.pump(consumer);
  }

  private pumpStore(store: MessageStore): void {
    for (const consumer of this.consumers) if (consumer.store === store) this.pump(consumer);
  }

  /** A link the client receives on: `$cbs`/`$management` replies, or an entity receiver. */
  private onSenderOpen(link: Sender): void {
    const address = link.source?.address ?? "";
    echoTermini(link);
    if (address === "$cbs" || address.endsWith("$management")) return;
    const resolved = this.ns.resolve(address);
    if (!resolved?.store) return refuse(link, "amqp:not-found", `The messaging entity '${address}' could not be found.`);
    const store = resolved.store;
    const remote = internals(link).remote.attach as { snd_settle_mode?: number; rcv_settle_mode?: number };
    internals(link).local.attach.snd_settle_mode = remote.snd_settle_mode ?? 0;
    internals(link).local.attach.rcv_settle_mode = remote.rcv_settle_mode ?? 0;
    const consumer: Consumer = { link, store, receiveAndDelete: remote.snd_settle_mode === 1 };
    const filter = (link.source as { filter?: Record<string, unknown> } | undefined)?.filter;
    if (filter && "com.microsoft:session-filter" in filter) {
      if (!store.settings.requiresSession) return refuse(link, "amqp:not-allowed", `'${address}' does not require sessions.`);
      this.ns.sweep();
      const wanted = filter["com.microsoft:session-filter"];
      const sessionId = typeof wanted === "string" ? wanted : store.unlockedSessionWithMessages();
      const held = sessionId === undefined ? undefined : store.sessionLocks.get(sessionId);
      if (sessionId === undefined) return refuse(link, "com.microsoft:session-cannot-be-locked", "No unlocked sessions available.");
      if (held && held.owner !== link && held.until > Date.now()) {
        return refuse(link, "com.microsoft:session-cannot-be-locked", `The session '${sessionId}' is locked by another receiver.`);
      }
      const until = Date.now() + store.settings.lockDurationMs;
      store.sessionLocks.set(sessionId, { owner: link, until });
      consumer.sessionId = sessionId;
      // Echo the granted id in rhea's own source terminus (a plain object would encode as a map).
      const source = link.source as unknown as { filter: unknown };
      source.filter = { "com.microsoft:session-filter": sessionId };
      internals(link).local.attach.source = described(source);
      internals(link).local.attach.properties = { "com.microsoft:locked-until-utc": rhea.types.wrap_long(dotNetTicks(until)) };
    } else if (store.settings.requiresSession) {
      return refuse(link, "amqp:not-allowed", `'${address}' requires sessions; use a session receiver.`);
    }
    this.consumers.add(consumer);
    link.on("sendable", () => this.pump(consumer));
    link.on("sender_flow", () => this.pump(consumer));
    link.on("accepted", (context: EventContext) => this.settle(context.delivery!, "accepted"));
    link.on("rejected", (context: EventContext) => this.settle(context.delivery!, "rejected"));
    link.on("modified", (context: EventContext) => this.settle(context.delivery!, "modified"));
    link.on("released", () => {}); // rhea re-raises modified as released; handled above
  }

  /** A link the client sends on: `$cbs`/`$management` requests or messages for an entity. */
  private onReceiverOpen(link: Receiver): void {
    const address = link.target?.address ?? "";
    echoTermini(link);
    internals(link).local.attach.max_message_size = this.ns.maxMessageSize;
    if (address === "$cbs" || address.endsWith("$management")) return;
    const resolved = this.ns.resolve(address);
    if (!resolved || (resolved.store && resolved.store.isDeadLetter)) {
      refuse(link, "amqp:not-found", `The messaging entity '${address}' could not be found.`);
    } else if (resolved.entity.kind === "subscription") {
      refuse(link, "amqp:not-allowed", `Cannot send to subscription '${address}'; send to its topic.`);
    }
  }

  private onMessage(context: EventContext): void {
    const link = context.receiver!;
    const delivery = context.delivery!;
    const address = link.target?.address ?? "";
    if (address === "$cbs") {
      // Tokens are not checked: the emulator has no keys. The SDK waits for a 2xx put-token reply.
      const request = context.message!;
      return respond(link.connection, "$cbs", request, { "status-code": 202, "status-description": "Accepted" });
    }
    if (address.endsWith("$management")) return handleManagement(this, this.ns, link.connection, address, context.message!);
    const raw = (context as EventContext & { format?: number }).format !== undefined ? (context.message as unknown as Buffer) : rhea.message.encode(context.message!);
    if (raw.length > this.ns.maxMessageSize) {
      return delivery.update(true, rejected("amqp:link:message-size-exceeded", `The message size ${raw.length} exceeds the limit of ${this.ns.maxMessageSize} bytes.`));
    }
    // A batch (format 0x80013700) is a message whose data sections are each an encoded message.
    const parts = (context as EventContext & { format?: number }).format === 0x80013700 ? batchParts(raw) : [raw];
    for (const part of parts) {
      if (!this.ns.send(address, part)) {
        return delivery.update(true, rejected("amqp:not-found", `The messaging entity '${address}' could not be found.`));
      }
    }
  }

  private pump(consumer: Consumer): void {
    const { link, store } = consumer;
    if (!this.consumers.has(consumer) || !link.is_open()) return;
    this.ns.sweep();
    // rhea queues a send even without credit and transmits it once credit comes, so credit left is
    // what the peer granted minus what is queued; otherwise one pump would lock the whole queue.
    let budget = (link as unknown as DrainState).credit - pendingDeliveries(link);
    while (budget > 0 && link.sendable()) {
      const message = store.nextAvailable(consumer.sessionId);
      if (!message) break;
      budget -= 1;
      if (consumer.receiveAndDelete) {
        message.attempts += 1;
        store.messages.delete(message.seq);
        link.send(store.render(message, { lockedUntil: undefined }), Buffer.alloc(0), 0);
      } else {
        const tag = store.lock(message, link);
        const delivery = link.send(store.render(message), tag, 0);
        this.deliveries.set(delivery, { consumer, message });
      }
    }
    const drain = link as unknown as DrainState;
    if (drain._draining && pendingDeliveries(link) > 0) {
      // Answer the drain only after the queued deliveries went out (rhea writes them next).
      setImmediate(() => this.pump(consumer));
    } else if (drain._draining) {
      // rhea only answers a drain when credit is left; the SDK waits for the answer either way.
      drain.delivery_count += drain.credit;
      drain.credit = 0;
      drain._draining = false;
      writeDrainedFlow(link);
    }
  }

  private settle(delivery: Delivery, outcome: "accepted" | "rejected" | "modified"): void {
    const entry = this.deliveries.get(delivery);
    const state = delivery.remote_state as { error?: { condition?: string; description?: string; info?: Record<string, unknown> }; undeliverable_here?: boolean; message_annotations?: Record<string, unknown> } | undefined;
    if (!entry) return;
    const { consumer, message } = entry;
    const store = consumer.store;
    const live = store.messages.get(message.seq) === message && message.lock?.owner === consumer.link && (message.lock?.until ?? 0) > Date.now();
    if (!live) {
      return delivery.update(true, rejected("com.microsoft:message-lock-lost", "The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue."));
    }
    if (outcome === "rejected" && store.isDeadLetter) {
      message.lock = undefined;
      return delivery.update(true, rejected("amqp:not-allowed", `Cannot dead-letter a message in '${store.path}': it is already a dead-letter queue.`));
    }
    applyOutcome(store, message, outcome, state);
    // Echo the outcome, settled: the SDK resolves only on a settled disposition without an error,
    // so a dead-letter (a rejected carrying the reason as its error) is answered with a bare rejected.
    const reply = outcome === "rejected" ? (outcomes.rejected({} as never).described() as never)
      : (delivery.remote_state as unknown as { described(): never }).described();
    delivery.update(true, reply);
    if (outcome !== "accepted") this.pumpStore(store);
  }

  private dropConsumer(link: Sender): void {
    for (const consumer of this.consumers) {
      if (consumer.link !== link) continue;
      this.consumers.delete(consumer);
      if (consumer.sessionId !== undefined && consumer.store.sessionLocks.get(consumer.sessionId)?.owner === link) {
        consumer.store.sessionLocks.delete(consumer.sessionId);
      }
      // Locks of a closed receiver stay until they lapse, as on Service Bus.
    }
  }

  private dropConnection(connection: Connection): void {
    for (const consumer of [...this.consumers]) if (consumer.link.connection === connection) this.dropConsumer(consumer.link);
  }
}

/** Complete, abandon, defer or dead-letter a locked message (link or update-disposition). */
export function applyOutcome(
  store: MessageStore,
  message: StoredMessage,
  outcome: "accepted" | "rejected" | "modified",
  state?: { error?: { condition?: string; description?: string; info?: Record<string, unknown> }; undeliverable_here?: boolean; message_annotations?: Record<string, unknown> },
): void {
  message.lock = undefined;
  if (outcome === "accepted") {
    store.messages.delete(message.seq);
  } else if (outcome === "rejected") {
    const info = { ...(state?.error?.info ?? {}) };
    const reason = String(info.DeadLetterReason ?? state?.error?.description ?? "");
    const description = String(info.DeadLetterErrorDescription ?? "");
    delete info.DeadLetterReason;
    delete info.DeadLetterErrorDescription;
    for (const key of Object.keys(info)) if (info[key] === undefined) delete info[key];
    store.deadLetterMessage(message, reason, description, info);
  } else if (state?.undeliverable_here) {
    message.state = "deferred";
  } else {
    if (state?.message_annotations) mergeProperties(message, state.message_annotations);
    store.releaseAfterAttempt(message);
  }
}

/** propertiesToModify on abandon/defer become application properties, as on Service Bus. */
function mergeProperties(message: StoredMessage, props: Record<string, unknown>): void {
  const decoded = rhea.message.decode(message.bytes);
  decoded.application_properties = { ...decoded.application_properties, ...props };
  message.bytes = rhea.message.encode(decoded);
}

function batchParts(raw: Buffer): Buffer[] {
  const body = rhea.message.decode(raw).body as { content?: Buffer | Buffer[]; multiple?: boolean } | undefined;
  if (!body?.content) return [];
  return body.multiple ? (body.content as Buffer[]) : [body.content as Buffer];
}

/** Deliveries rhea has queued on this link's session but not yet transmitted. */
function pendingDeliveries(link: Sender): number {
  type Outgoing = { next_pending_delivery: number; next_delivery_id: number; deliveries: { by_id(id: number): { link?: unknown } | undefined } };
  const outgoing = (link.session as unknown as { outgoing: Outgoing }).outgoing;
  let count = 0;
  for (let id = outgoing.next_pending_delivery; id < outgoing.next_delivery_id; id++) {
    if (outgoing.deliveries.by_id(id)?.link === link) count += 1;
  }
  return count;
}

/** Sends the flow that answers a drain: credit 0, delivery count advanced, drain echoed. */
function writeDrainedFlow(link: Sender): void {
  const session = link.session as unknown as { _write_flow(link: Sender): void };
  const drain = link as unknown as DrainState;
  // _write_flow sets drain=true only through _get_drain, which needs credit; force it for this frame.
  const original = (link as unknown as { _get_drain(): boolean })._get_drain;
  (link as unknown as { _get_drain(): boolean })._get_drain = () => true;
  try {
    session._write_flow(link);
  } finally {
    (link as unknown as { _get_drain(): boolean })._get_drain = original;
  }
  drain.issue_flow = false;
}

/** rhea encodes a terminus object as a plain map unless it is described; echo the client's termini. */
const described = (terminus: unknown) => (terminus as { described?: () => unknown } | undefined)?.described?.() ?? null;
function echoTermini(link: Sender | Receiver): void {
  internals(link).local.attach.source = described(link.source);
  internals(link).local.attach.target = described(link.target);
}

/** Refuses an attach the way the SDK understands: null terminus, then a detach with the error. */
function refuse(link: Sender | Receiver, condition: string, description: string): void {
  internals(link).local.attach.source = null as never;
  internals(link).local.attach.target = null as never;
  link.close({ condition, description });
}
