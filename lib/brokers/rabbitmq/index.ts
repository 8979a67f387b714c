// The RabbitMQ adapter: discovery over the management API, reads and moves over AMQP 0-9-1.
import { brokerError } from "../errors";
import type {
  BrokerAdapter, BrokerCapabilities, BrowseOptions, BrowsePage, DeadLetter, DeadLetterQueue, Destination,
  OutgoingMessage, QueueSettings, ReplayOutcome, ReplayRequest, ReplaySession, RemoveOutcome, SendOutcome,
} from "../types";
import { LazyConnection, toBrokerError } from "./connection";
import { decodeMessage } from "./decode";
import { ManagementClient, type ManagedQueue } from "./management";
import { rabbitmqOptionsSchema, type RabbitmqOptions } from "./options";
import { publishAllConfirmed, toHeaderValue, type PublishItem } from "./publish";
import { defaultTarget, destinationTarget, errorText, lostAcks, publishReplay, replayOptions, stampHeaders } from "./replay";
import { queueNotFound, settleAll, streamScan, withScan, type HeldMessage, type Scan, type ScanQueue, type StreamReport } from "./scan";
import { StreamingReplaySession, type SessionHost } from "./session";
import { deliveryLimitOf, findDeadLetterQueues, queueSettingsOf } from "./topology";

/** Browsing requeues (redelivered flag); on quorum DLQs each requeue also counts toward the delivery limit. */
export const RABBITMQ_CAPABILITIES: BrokerCapabilities = {
  truePeek: false,
  browseSideEffects: ["marks-redelivered", "counts-toward-delivery-limit"],
  orderedPartitions: false,
  preservesMessageId: true,
  nativeRedrive: false,
  batchDelete: true,
  binaryBodies: true,
  maxMessageBytes: 128 * 1024 * 1024, // RabbitMQ's default max_message_size (3.8+)
};

/** Cursor: the offset of the next page and the id of the message just before it. */
function encodeCursor(offset: number, lastId: string): string {
  return Buffer.from(JSON.stringify([offset, lastId])).toString("base64url");
}
function decodeCursor(cursor: string | null | undefined): { offset: number; lastId: string | null } {
  if (!cursor) return { offset: 0, lastId: null };
  try {
    const [offset, lastId] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [number, string];
    if (Number.isInteger(offset) && offset >= 0) return { offset, lastId };
  } catch {
    // fall through to the error below: a cursor we did not make
  }
  throw new Error("invalid cursor");
}

class RabbitmqAdapter implements BrokerAdapter {
  readonly kind = "rabbitmq" as const;
  readonly capabilities = RABBITMQ_CAPABILITIES;
  private readonly connection: LazyConnection;
  private readonly management: ManagementClient;
  private readonly username: string;

  constructor(
    readonly name: string,
    private readonly options: RabbitmqOptions,
  ) {
    this.connection = new LazyConnection(name, options);
    this.management = new ManagementClient(name, options);
    this.username = decodeURIComponent(new URL(options.url).username || "guest");
  }

  /** The tail of the reads running on each DLQ in this process (see oneReaderAtATime). */
  private readonly readers = new Map<string, Promise<void>>();

  /**
   * One get-and-requeue read per DLQ at a time in this process. A read holds the messages it has
   * taken unacked until it ends; a second reader meanwhile finds them missing, so a browse would
   * look short, an index would drop them and a replay would call them not found.
   */
  private async oneReaderAtATime<T>(queueId: string, work: () => Promise<T>): Promise<T> {
    const release = await this.acquireReader(queueId);
    try {
      return await work();
    } finally {
      release();
    }
  }

  /**
   * Wait for this DLQ's earlier readers in this process; the caller must call the result when
   * done. Replay sessions on the DLQ other than `owner` give back the messages they hold read
   * ahead first, so this reader sees the whole queue.
   */
  private acquireReader(queueId: string, owner?: StreamingReplaySession): Promise<() => void> {
    let release!: () => void;
    const reading = new Promise<void>((resolve) => (release = resolve));
    const previous = this.readers.get(queueId) ?? Promise.resolve();
    const tail = previous.then(() => reading);
    this.readers.set(queueId, tail);
    void tail.then(() => {
      if (this.readers.get(queueId) === tail) this.readers.delete(queueId);
    });
    return previous.then(async () => {
      for (const session of this.sessions.get(queueId) ?? []) if (session !== owner) await session.giveBack();
      return release;
    });
  }

  private async serverMajor(): Promise<number> {
    return Number.parseInt(await this.connection.serverVersion(), 10) || 0;
  }

  /** What scanQueue learnt of each DLQ from the management API, and when. */
  private readonly scanQueues = new Map<string, { readonly at: number; readonly scan: ScanQueue }>();

  /**
   * The DLQ as a scan needs it; not-found when it does not exist. The management API call costs a
   * few tens of ms, once per replay batch otherwise, so its answer is kept for SCAN_QUEUE_TTL_MS
   * (a queue deleted meanwhile still fails the read itself with not-found).
   */
  private async scanQueue(queueId: string): Promise<{ scan: ScanQueue; caps: Map<string, number | null> }> {
    const known = this.scanQueues.get(queueId);
    if (known && Date.now() - known.at < SCAN_QUEUE_TTL_MS) return { scan: known.scan, caps: new Map() };
    const queue = await this.management.queue(queueId);
    if (!queue) {
      this.scanQueues.delete(queueId);
      throw queueNotFound(this.name, queueId);
    }
    const major = await this.serverMajor();
    const limit = queue.type === "quorum" ? deliveryLimitOf(queue, major) : null;
    const scan: ScanQueue = { name: queueId, deliveryLimit: limit, reserve: this.options.deliveryLimitReserve };
    this.scanQueues.set(queueId, { at: Date.now(), scan });
    return { scan, caps: new Map() };
  }

  async listDeadLetterQueues(): Promise<DeadLetterQueue[]> {
    const [queues, exchanges, bindings] = await Promise.all([this.management.queues(), this.management.exchanges(), this.management.bindings()]);
    const major = await this.connection.retryRead(null, () => this.serverMajor());
    const byName = new Map(queues.map((queue) => [queue.name, queue]));
    const found = findDeadLetterQueues(queues, exchanges, bindings, this.options.deadLetterQueues);
    const result: DeadLetterQueue[] = [];
    for (const [name, sourceNames] of found) {
      const queue = byName.get(name)!;
      const ready = await this.readyCount(name);
      if (ready === null) continue; // deleted since the listing
      const limits = sourceNames.map((source) => deliveryLimitOf(byName.get(source)!, major)).filter((limit) => limit !== null);
      result.push(this.describe(queue, ready, sourceNames, limits.length ? Math.max(...limits) : null, major));
    }
    return result.sort((a, b) => a.name.localeCompare(b.name));
  }

  async listQueueSettings(): Promise<QueueSettings[]> {
    const [queues, exchanges, bindings] = await Promise.all([this.management.queues(), this.management.exchanges(), this.management.bindings()]);
    const major = await this.connection.retryRead(null, () => this.serverMajor());
    return queueSettingsOf(queues, exchanges, bindings, this.options.deadLetterQueues, major);
  }

  /** Ready messages now (passive declare), fresher than the management API's sampled counts. */
  private async readyCount(queue: string): Promise<number | null> {
    return this.connection.retryRead(queue, async (model) => {
      const channel = await model.createChannel();
      channel.on("error", () => undefined);
      try {
        const ok = await channel.checkQueue(queue);
        await channel.close();
        return ok.messageCount;
      } catch (error) {
        if (toBrokerError(this.name, error, queue).code === "not-found") return null;
        throw error;
      }
    });
  }

  private describe(queue: ManagedQueue, ready: number, sources: string[], maxDeliveryCount: number | null, major: number): DeadLetterQueue {
    const unacked = queue.messages_unacknowledged ?? 0;
    const timestamp = queue.head_message_timestamp;
    return {
      id: queue.name,
      name: queue.name,
      depth: ready + unacked,
      depthDetail: { ready, unacknowledged: unacked },
      consumers: queue.consumers ?? null,
      sources: sources.map((source) => ({ id: source, name: source })),
      ordered: false,
      maxDeliveryCount,
      oldestMessageAt: typeof timestamp === "number" ? new Date(timestamp * 1000) : null,
      details: {
        vhost: this.management.vhost,
        queueType: queue.type ?? "classic",
        durable: queue.durable ?? null,
        policy: queue.policy ?? null,
        dlqDeliveryLimit: queue.type === "quorum" ? deliveryLimitOf(queue, major) : null,
      },
    };
  }

  async browse(queueId: string, options: BrowseOptions): Promise<BrowsePage> {
    let position: ReturnType<typeof decodeCursor>;
    try {
      position = decodeCursor(options.cursor);
    } catch (error) {
      throw brokerError("invalid-request", this.name, "invalid browse cursor", { queue: queueId, cause: error });
    }
    const wanted = position.offset + Math.max(1, options.limit);
    if (wanted > this.options.maxScan) {
      throw brokerError("invalid-request", this.name, `browsing past ${this.options.maxScan} messages is refused (maxScan)`, { queue: queueId });
    }
    return this.oneReaderAtATime(queueId, async () => {
      const { scan: target, caps } = await this.scanQueue(queueId);
      return this.connection.retryRead(queueId, (model) =>
        withScan(this.name, model, target, { max: wanted, enough: (scan) => scan.held.length >= wanted, read: "consume", window: wanted }, async (scan) => {
          const page = scan.held.slice(position.offset).map((held) => decodeMessage(held.message, caps));
          const warnings = [...scan.warnings];
          const before = scan.held[position.offset - 1];
          if (position.lastId !== null && before?.id !== position.lastId) warnings.push("the queue changed since the previous page");
          const more = scan.refusal === null && scan.remaining > 0 && page.length > 0;
          return { messages: page, nextCursor: more ? encodeCursor(wanted, page.at(-1)!.id) : null, warnings };
        }),
      );
    });
  }

  /**
   * The whole DLQ (up to maxIndexScan) in one read, streamed: each message is yielded as it is
   * read while the channel holds it unacked, and all are requeued in order when the iteration
   * ends (also when the caller stops early or the process dies: the broker requeues unacked
   * messages of a closed channel). A DLQ longer than maxIndexScan yields its first maxIndexScan
   * messages, then throws "refused". The DLQ's other readers in this process wait for it.
   */
  async *scan(queueId: string): AsyncIterable<DeadLetter> {
    // The reader slot first (taken as this is called): the DLQ's reads go in the order they were asked for.
    const release = await this.acquireReader(queueId);
    const limit = this.options.maxIndexScan;
    const report: StreamReport = { refusal: null, read: 0, remaining: 0 };
    try {
      const { scan: target, caps } = await this.scanQueue(queueId);
      const model = await this.connection.retryRead(queueId, async (connected) => connected);
      try {
        for await (const message of streamScan(this.name, model, target, limit, report)) yield decodeMessage(message, caps);
      } catch (error) {
        throw toBrokerError(this.name, error, queueId);
      }
    } finally {
      release();
    }
    const stoppedBy =
      report.refusal ?? (report.read >= limit && report.remaining > 0 ? `the DLQ holds more than ${limit} messages (maxIndexScan); only the first ${limit} were read` : null);
    if (stoppedBy) throw brokerError("refused", this.name, stoppedBy, { queue: queueId });
  }

  async getMessage(queueId: string, id: string): Promise<DeadLetter | null> {
    return this.oneReaderAtATime(queueId, async () => {
      const { scan: target, caps } = await this.scanQueue(queueId);
      return this.connection.retryRead(queueId, (model) =>
        withScan(this.name, model, target, { max: this.options.maxScan, enough: untilHeld([id]), read: "consume" }, async (scan) => {
          const found = scan.held.find((held) => held.id === id);
          if (found) return decodeMessage(found.message, caps);
          // Not seen because the quorum guard stopped the read: unknown, not absent.
          if (scan.refusal) throw brokerError("refused", this.name, scan.refusal, { queue: queueId });
          return null;
        }),
      );
    });
  }

  /**
   * Read until every id is held (first match per id), then run `act`. Streamed with basic.consume
   * where the DLQ has no delivery limit; the stop test is incremental, so a batch of n ids costs
   * O(messages read), not O(n × read).
   */
  private async actOn<T>(
    queueId: string,
    ids: readonly string[],
    act: (scan: Scan) => Promise<T>,
    afterLostClose?: (result: T, error: unknown) => T,
  ): Promise<T> {
    return this.oneReaderAtATime(queueId, () => this.readUntilHeld(queueId, ids, act, afterLostClose));
  }

  /** actOn's read, for a caller that already holds the DLQ's reader slot. */
  private async readUntilHeld<T>(queueId: string, ids: readonly string[], act: (scan: Scan) => Promise<T>, afterLostClose?: (result: T, error: unknown) => T): Promise<T> {
    const { scan: target } = await this.scanQueue(queueId);
    return withScan(this.name, await this.connection.get(), target, { max: this.options.maxScan, enough: untilHeld(ids), afterLostClose, read: "consume", window: ids.length }, act);
  }

  /** The held messages by id, each list in queue order, for taking the first unused match of an id. */
  private static byId(scan: Scan): Map<string, HeldMessage[]> {
    const index = new Map<string, HeldMessage[]>();
    for (const held of scan.held) {
      const list = index.get(held.id);
      if (list) list.push(held);
      else index.set(held.id, [held]);
    }
    return index;
  }

  async replay(queueId: string, requests: readonly ReplayRequest[]): Promise<ReplayOutcome[]> {
    const destinations = await this.resolveDestinations(requests.map((request) => request.destination));
    return this.actOn(queueId, requests.map((request) => request.id), (scan) => this.replayHeld(scan, queueId, requests, destinations), lostAcks);
  }

  /**
   * A replay session for a bulk job's lane: consecutive replay() calls on one DLQ share a channel
   * and a consumer, so the next batch streams in as the last one is acked (session.ts).
   */
  openReplaySession(queueId: string): ReplaySession {
    const session = new StreamingReplaySession(this.sessionHost, queueId);
    let open = this.sessions.get(queueId);
    if (!open) this.sessions.set(queueId, (open = new Set()));
    open.add(session);
    return session;
  }

  /** Open replay sessions by DLQ: another reader of the DLQ first makes them give back what they hold. */
  private readonly sessions = new Map<string, Set<StreamingReplaySession>>();

  private readonly sessionHost: SessionHost = {
    broker: () => this.name,
    reader: (queueId, owner) => this.acquireReader(queueId, owner),
    scanQueue: async (queueId) => (await this.scanQueue(queueId)).scan,
    connection: () => this.connection.get(),
    destinations: (requests) => this.resolveDestinations(requests.map((request) => request.destination)),
    replayHeld: (scan, queueId, requests, destinations) => this.replayHeld(scan, queueId, requests, destinations),
    replayByScan: (queueId, requests, destinations) =>
      this.readUntilHeld(queueId, requests.map((request) => request.id), (scan) => this.replayHeld(scan, queueId, requests, destinations), lostAcks),
    closed: (session) => {
      const open = this.sessions.get(session.queueId);
      open?.delete(session);
      if (open?.size === 0) this.sessions.delete(session.queueId);
    },
  };

  /**
   * Publish a copy of each requested message the scan holds (first unused match per id), back to
   * back, wait for their confirms, then ack the DLQ copy of each confirmed one (rule 2: a crash
   * before the ack leaves a duplicate, never a gap). Not-found for ids the scan does not hold.
   */
  private async replayHeld(scan: Scan, queueId: string, requests: readonly ReplayRequest[], destinations: readonly ("queue" | "exchange" | null)[]): Promise<ReplayOutcome[]> {
    const available = RabbitmqAdapter.byId(scan);
    const outcomes: ReplayOutcome[] = new Array<ReplayOutcome>(requests.length);
    const sends: { index: number; held: HeldMessage; item: PublishItem }[] = [];
    for (const [index, request] of requests.entries()) {
      const held = available.get(request.id)?.shift();
      if (!held) {
        outcomes[index] = scan.refusal ? { id: request.id, status: "failed", error: scan.refusal } : { id: request.id, status: "not-found" };
        continue;
      }
      const { message } = held;
      const destination = request.destination;
      const target = destination
        ? destinationTarget(destination, destinations[index] === "queue", message.fields.routingKey)
        : defaultTarget(message, this.options.replayTarget);
      if (!target) {
        outcomes[index] = { id: request.id, status: "failed", error: "no x-death source to replay to; choose a destination" };
        continue;
      }
      const content = request.body ? Buffer.from(request.body) : message.content;
      sends.push({ index, held, item: { target, content, options: replayOptions(message, request, this.username) } });
    }
    // Every copy published back to back, then each DLQ copy acked only after its own confirm.
    const results = await publishAllConfirmed(this.name, scan.channel, sends.map((send) => send.item));
    const acks: { index: number; held: HeldMessage; sentMessageId: string | null }[] = [];
    for (const [position, { index, held }] of sends.entries()) {
      const request = requests[index]!;
      const error = results[position];
      const sentMessageId = typeof held.message.properties.messageId === "string" ? held.message.properties.messageId : null;
      if (error) {
        const failure = toBrokerError(this.name, error, queueId);
        const unknown = failure.code !== "unroutable" && failure.code !== "invalid-request";
        outcomes[index] = {
          id: request.id,
          status: "failed",
          error: unknown ? `${errorText(failure)} (before the broker confirmed the copy: it may have been delivered; the DLQ copy stays)` : errorText(failure),
        };
        continue;
      }
      if (request.keepOriginal) {
        outcomes[index] = { id: request.id, status: "sent-kept", sentMessageId };
        continue;
      }
      outcomes[index] = { id: request.id, status: "moved", sentMessageId };
      acks.push({ index, held, sentMessageId });
    }
    try {
      settleAll(scan, acks.map((ack) => ack.held)); // only after the confirms: a crash before this leaves a duplicate, not a gap
    } catch (error) {
      for (const { index, sentMessageId } of acks) outcomes[index] = { id: requests[index]!.id, status: "sent-not-removed", sentMessageId, error: errorText(error) };
    }
    return outcomes;
  }

  /** For each destination: "queue" when a queue of that name exists, else "exchange". */
  private async resolveDestinations(destinations: readonly (Destination | undefined)[]): Promise<("queue" | "exchange" | null)[]> {
    const cache = new Map<string, "queue" | "exchange">();
    const result: ("queue" | "exchange" | null)[] = [];
    for (const destination of destinations) {
      if (!destination) {
        result.push(null);
        continue;
      }
      if (!cache.has(destination.id)) cache.set(destination.id, (await this.management.queue(destination.id)) ? "queue" : "exchange");
      result.push(cache.get(destination.id)!);
    }
    return result;
  }

  async send(destination: Destination, messages: readonly OutgoingMessage[]): Promise<SendOutcome[]> {
    const [kind] = await this.resolveDestinations([destination]);
    const target = destinationTarget(destination, kind === "queue", destination.id);
    const model = await this.connection.get();
    const channel = await model.createConfirmChannel();
    channel.on("error", () => undefined);
    const outcomes: SendOutcome[] = [];
    try {
      for (const [index, message] of messages.entries()) {
        const headers = Object.fromEntries(Object.entries(message.properties).map(([key, value]) => [key, toHeaderValue(value)]));
        try {
          await publishReplay(this.name, channel, target, Buffer.from(message.body), {
            persistent: true,
            headers: { ...headers, ...stampHeaders(message.stamp) },
            ...(message.messageId ? { messageId: message.messageId } : {}),
            ...(message.contentType ? { contentType: message.contentType } : {}),
          });
          outcomes.push({ index, status: "sent", sentMessageId: message.messageId });
        } catch (error) {
          outcomes.push({ index, status: "failed", error: errorText(toBrokerError(this.name, error, destination.id)) });
        }
      }
    } finally {
      await channel.close().catch(() => undefined);
    }
    return outcomes;
  }

  async remove(queueId: string, ids: readonly string[]): Promise<RemoveOutcome[]> {
    return this.actOn(queueId, ids, async (scan) => {
      const available = RabbitmqAdapter.byId(scan);
      const removing: HeldMessage[] = [];
      const outcomes = ids.map((id): RemoveOutcome => {
        const held = available.get(id)?.shift();
        if (!held) return scan.refusal ? { id, status: "failed", error: scan.refusal } : { id, status: "not-found" };
        removing.push(held);
        return { id, status: "removed" };
      });
      settleAll(scan, removing); // a run read off the head goes in one multiple-ack
      return outcomes;
    }, (outcomes, error) =>
      outcomes.map((outcome): RemoveOutcome =>
        outcome.status === "removed" ? { id: outcome.id, status: "failed", error: `connection lost before the ack was confirmed: ${errorText(error)}` } : outcome,
      ),
    );
  }

  async purge(queueId: string): Promise<{ removed: number | null }> {
    // In the reader slot: a replay session's read-ahead is requeued first, so the purge removes it too.
    return this.oneReaderAtATime(queueId, () => this.purgeNow(queueId));
  }

  private async purgeNow(queueId: string): Promise<{ removed: number | null }> {
    const model = await this.connection.get();
    const channel = await model.createChannel();
    channel.on("error", () => undefined);
    try {
      const ok = await channel.purgeQueue(queueId);
      await channel.close();
      return { removed: ok.messageCount };
    } catch (error) {
      throw toBrokerError(this.name, error, queueId);
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

/** How long a DLQ's type and delivery limit, read from the management API, are trusted. */
const SCAN_QUEUE_TTL_MS = 5_000;

/** A scan's stop test: true once every id has been read. Incremental: O(messages read) in all. */
function untilHeld(ids: readonly string[]): (scan: Scan) => boolean {
  const missing = new Set(ids);
  let checked = 0;
  return (scan) => {
    for (; checked < scan.held.length; checked++) missing.delete(scan.held[checked]!.id);
    return missing.size === 0;
  };
}

/** Build the RabbitMQ adapter; it connects on first use. */
export function createRabbitmqAdapter(settings: { name: string; connection: RabbitmqOptions }): BrokerAdapter {
  return new RabbitmqAdapter(settings.name, rabbitmqOptionsSchema.parse(settings.connection));
}
