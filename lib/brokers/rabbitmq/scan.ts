// Reads a DLQ without a true peek: take messages with manual ack on one confirm channel (basic.consume
// with a prefetch window, or basic.get one at a time where a quorum delivery limit must be watched),
// hold what was read, let the caller ack (remove) or publish-then-ack (replay) some of it, and
// requeue the rest in order.
import type { ChannelModel, ConfirmChannel, GetMessage, Message } from "amqplib";
import { brokerError } from "../errors";
import { toBrokerError } from "./connection";
import { stableId } from "./decode";
import { publishConfirmed } from "./publish";

/** What the scan needs to know about the DLQ it reads. */
export interface ScanQueue {
  readonly name: string;
  /** Quorum DLQ delivery limit; each requeue counts toward it. Null: no limit (classic, or unset on 3.x). */
  readonly deliveryLimit: number | null;
  /** Deliveries a read must leave in hand before the limit (deliveryLimitReserve). */
  readonly reserve: number;
}

export interface HeldMessage {
  readonly message: Message;
  readonly id: string;
}

export interface Scan {
  readonly channel: ConfirmChannel;
  readonly held: HeldMessage[];
  /** Ready messages left in the queue after the last get. */
  remaining: number;
  /** Why the scan stopped early to protect a quorum delivery limit, if it did. */
  refusal: string | null;
  readonly warnings: string[];
  /** Acked messages: not requeued at the end. */
  readonly settled: Set<number>;
}

/** How long to wait for close-ok before treating a silent connection as lost. */
const CLOSE_TIMEOUT_MS = 30_000;

function closeWithin(channel: ConfirmChannel, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Channel closed: no close-ok within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([channel.close(), timeout]).finally(() => clearTimeout(timer));
}

/** How long a read waits for its requeued messages to count as ready again. */
const REQUEUE_SETTLE_MS = 2_000;

/**
 * close-ok means the channel processed our acks and the requeue, but the queue process (a Raft
 * log for quorum queues) may count the requeued messages as ready a moment later. Wait until the
 * ready count is back to what the read left, so the next reader in this process sees them all.
 * Bounded: another consumer on the DLQ could keep it lower for good.
 */
export async function awaitRequeued(model: ChannelModel, queue: string, atLeast: number): Promise<void> {
  if (atLeast <= 0) return;
  const channel = await model.createChannel();
  channel.on("error", () => undefined);
  try {
    const deadline = Date.now() + REQUEUE_SETTLE_MS;
    while ((await channel.checkQueue(queue)).messageCount < atLeast && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** Ack one held message (the DLQ copy is gone once the broker processes it). */
export function settle(scan: Scan, held: HeldMessage): void {
  scan.channel.ack(held.message);
  scan.settled.add(held.message.fields.deliveryTag);
}

/**
 * Ack every one of `messages` (all held by `scan`). Those that, with what is already settled,
 * make up the head of what the channel holds unacked go in one multiple-ack, which acks every
 * unacked delivery up to its tag and so exactly them; the rest one ack each. A bulk batch read
 * straight off the head is then one frame instead of 500 (and one ack for the broker to process).
 */
export function settleAll(scan: Scan, messages: readonly HeldMessage[]): void {
  if (messages.length === 0) return;
  const acking = new Set(messages.map((held) => held.message.fields.deliveryTag));
  let head: HeldMessage | null = null;
  for (const held of scan.held) {
    const tag = held.message.fields.deliveryTag;
    if (scan.settled.has(tag)) continue;
    if (!acking.has(tag)) break;
    head = held;
  }
  if (head) {
    const last = head.message.fields.deliveryTag;
    scan.channel.ack(head.message, true);
    for (const tag of acking) if (tag <= last) scan.settled.add(tag);
  }
  for (const held of messages) if (!scan.settled.has(held.message.fields.deliveryTag)) settle(scan, held);
}

/**
 * Run `work` over messages read from the head of `queue` until `enough` says stop, the queue is
 * empty or `max` are held; then requeue every message not settled, in order, on the same channel.
 * A crash anywhere returns the unacked messages to the queue: a read never loses a message.
 */
export async function withScan<T>(
  broker: string,
  model: ChannelModel,
  queue: ScanQueue,
  options: {
    max: number;
    enough: (scan: Scan) => boolean;
    afterLostClose?: (result: T, error: unknown) => T;
    /**
     * "get" (default): one basic.get per message, each reporting how many are left. "consume":
     * basic.consume with a prefetch window (what is left is then the ready count at the start
     * minus what was read); on a DLQ with a delivery limit it falls back to "get", whose guard
     * must see each message before the next delivery spends one.
     */
    read?: "get" | "consume";
    /** For "consume": how many messages the read expects to need (its first prefetch window). */
    window?: number;
  },
  work: (scan: Scan) => Promise<T>,
): Promise<T> {
  const channel = await model.createConfirmChannel();
  let channelError: unknown = null;
  channel.on("error", (error: unknown) => {
    channelError = error;
  });
  const scan: Scan = { channel, held: [], remaining: 0, refusal: null, warnings: [], settled: new Set() };
  try {
    const consume = options.read === "consume" && queue.deliveryLimit === null;
    const readyAtStart = consume ? await readByConsume(channel, queue.name, scan, options) : await readByGet(broker, channel, queue, scan, options);
    const result = await work(scan);
    try {
      const unsettled = scan.held.filter((held) => !scan.settled.has(held.message.fields.deliveryTag));
      // One nack with multiple=true and requeue=true puts every unsettled message back where it was.
      const last = unsettled.at(-1);
      if (last) channel.nack(last.message, true, true);
      await closeWithin(channel, CLOSE_TIMEOUT_MS); // close-ok: the broker has processed our acks and the requeue
      if (last) await awaitRequeued(model, queue.name, readyAtStart - scan.settled.size).catch(() => undefined);
    } catch (error) {
      // Acks have no reply of their own: without close-ok we cannot tell whether they arrived.
      if (options.afterLostClose) return options.afterLostClose(result, channelError ?? error);
      throw error;
    }
    return result;
  } catch (error) {
    await channel.close().catch(() => undefined); // closing requeues whatever is still unacked
    throw toBrokerError(broker, channelError ?? error, queue.name);
  }
}

/** Take messages from the head one basic.get at a time; returns the ready count the read started from. */
async function readByGet(broker: string, channel: ConfirmChannel, queue: ScanQueue, scan: Scan, options: { max: number; enough: (scan: Scan) => boolean }): Promise<number> {
  let readyAtStart = 0;
  while (scan.held.length < options.max && !options.enough(scan)) {
    const message = await channel.get(queue.name, { noAck: false });
    if (message === false) {
      scan.remaining = 0;
      break;
    }
    if (scan.held.length === 0) readyAtStart = message.fields.messageCount + 1;
    scan.held.push({ message, id: stableId(message) });
    scan.remaining = message.fields.messageCount;
    if (await guardDeliveryLimit(broker, scan, queue, message)) break;
    if (scan.remaining === 0) break;
  }
  return readyAtStart;
}

/** How often a consume read that has stopped receiving checks whether the queue ran dry. */
export const CONSUME_IDLE_MS = 100;
/** The prefetch window a consume read starts with when the caller gives no hint. */
const CONSUME_WINDOW = 500;

/**
 * Take up to `max` messages from the head of the queue with basic.consume (the broker streams a
 * prefetch window instead of one round trip per message), stopping when `enough` says so or the
 * queue runs dry. Nothing is acked while reading, so a full window stops the broker: the read then
 * opens a new consumer with a window twice as large (the held messages stay unacked on the
 * channel), so a caller that needs n messages gets about n deliveries, not a whole window more.
 * Deliveries that arrive between the decision to stop and cancel-ok are held as well, so the
 * requeue at the end returns them too. Returns the ready count the read started from.
 */
async function readByConsume(
  channel: ConfirmChannel,
  queueName: string,
  scan: Scan,
  options: { max: number; enough: (scan: Scan) => boolean; window?: number },
): Promise<number> {
  const ready = (await channel.checkQueue(queueName)).messageCount;
  const wanted = Math.min(ready, options.max);
  let window = Math.min(wanted, Math.max(1, options.window ?? CONSUME_WINDOW));
  let dry = false;
  while (!dry && scan.held.length < wanted && !options.enough(scan)) {
    await channel.prefetch(window);
    dry = await consumeWindow(channel, queueName, scan, window, wanted, options.enough);
    window = Math.min(Math.max(1, wanted - scan.held.length), window * 2);
  }
  scan.remaining = Math.max(0, ready - scan.held.length);
  return ready;
}

/** One consumer's window of deliveries; true when the read stopped because the queue ran dry. */
async function consumeWindow(channel: ConfirmChannel, queueName: string, scan: Scan, window: number, wanted: number, enough: (scan: Scan) => boolean): Promise<boolean> {
  const first = scan.held.length;
  let dry = false;
  let stop!: () => void;
  let fail!: (error: unknown) => void;
  const stopped = new Promise<void>((resolve, reject) => {
    stop = resolve;
    fail = reject;
  });
  let lastDelivery = Date.now();
  const { consumerTag } = await channel.consume(
    queueName,
    (message) => {
      if (message === null) return fail(new Error(`the broker cancelled the read of ${queueName}`));
      lastDelivery = Date.now();
      scan.held.push({ message, id: stableId(message) });
      if (scan.held.length - first >= window || scan.held.length >= wanted || enough(scan)) stop();
    },
    { noAck: false },
  );
  const idle = setInterval(() => {
    if (Date.now() - lastDelivery < CONSUME_IDLE_MS) return;
    // Fewer arrived than were ready: another consumer took some, or they expired. Stop when dry.
    channel.checkQueue(queueName).then((ok) => {
      if (ok.messageCount > 0) return;
      dry = true;
      stop();
    }, fail);
  }, CONSUME_IDLE_MS);
  try {
    await stopped;
  } finally {
    clearInterval(idle);
    await channel.cancel(consumerTag); // after cancel-ok nothing more is delivered to it
  }
  return dry;
}

/** Messages a streamed read takes per consumer window: its memory bound. */
const STREAM_WINDOW = 1_000;

/** How far a streamScan got and why it stopped. */
export interface StreamReport {
  /** Why the quorum guard stopped the read early, if it did. */
  refusal: string | null;
  /** Messages yielded. */
  read: number;
  /** Ready messages left behind the last one read. */
  remaining: number;
}

/**
 * Every message of the queue from the head, up to `max`, yielded one at a time while the channel
 * holds them all unacked (no peek on AMQP 0-9-1: a requeued message would come straight back), then
 * requeued in order with one multiple-nack when the iteration ends, however it ends. Only one
 * window of messages is in this process's memory at a time: the broker holds the rest, so reading
 * a million-message DLQ does not grow the heap.
 */
export async function* streamScan(broker: string, model: ChannelModel, queue: ScanQueue, max: number, report: StreamReport): AsyncGenerator<Message> {
  const channel = await model.createConfirmChannel();
  let channelError: unknown = null;
  channel.on("error", (error: unknown) => {
    channelError = error;
  });
  let last: Message | null = null;
  let settled = 0;
  let readyAtStart = 0;
  let finished = false;
  try {
    if (queue.deliveryLimit === null) {
      readyAtStart = (await channel.checkQueue(queue.name)).messageCount;
      const wanted = Math.min(readyAtStart, max);
      let dry = false;
      while (!dry && report.read < wanted) {
        const window = Math.min(STREAM_WINDOW, wanted - report.read);
        const scan: Scan = { channel, held: [], remaining: 0, refusal: null, warnings: [], settled: new Set() };
        await channel.prefetch(window);
        dry = await consumeWindow(channel, queue.name, scan, window, window, () => false);
        for (const { message } of scan.held) {
          last = message;
          report.read++;
          yield message;
        }
      }
      report.remaining = Math.max(0, readyAtStart - report.read);
    } else {
      // A delivery limit: one basic.get at a time, so the guard sees each message before the next.
      const scan: Scan = { channel, held: [], remaining: 0, refusal: null, warnings: [], settled: new Set() };
      while (report.read < max) {
        const message = await channel.get(queue.name, { noAck: false });
        if (message === false) break;
        if (report.read === 0 && settled === 0) readyAtStart = message.fields.messageCount + 1;
        scan.held.length = 0;
        scan.held.push({ message, id: stableId(message) });
        scan.remaining = message.fields.messageCount;
        const stop = await guardDeliveryLimit(broker, scan, queue, message);
        if (scan.held.length === 0) settled++; // re-enqueued at the tail and acked
        else {
          last = message;
          report.read++;
          yield message;
        }
        if (stop) {
          report.refusal = scan.refusal;
          break;
        }
        if (scan.remaining === 0) break;
      }
      report.remaining = scan.remaining;
    }
    finished = true;
  } finally {
    if (finished) {
      if (last) channel.nack(last, true, true);
      await closeWithin(channel, CLOSE_TIMEOUT_MS).catch((error: unknown) => {
        throw toBrokerError(broker, channelError ?? error, queue.name);
      });
      if (last) await awaitRequeued(model, queue.name, readyAtStart - settled).catch(() => undefined);
    } else {
      await channel.close().catch(() => undefined); // closing requeues whatever is still unacked
    }
  }
}

/**
 * Quorum DLQs count every requeue toward their delivery limit, after which the broker drops or
 * dead-letters the message. Stop reading once a message is within `reserve` deliveries of it; if a
 * message has none left at all (someone else spent them), requeueing it would lose it, so it is
 * republished to the same queue with a confirm and only then acked (it moves to the tail).
 * Returns true when the scan must stop.
 */
async function guardDeliveryLimit(broker: string, scan: Scan, queue: ScanQueue, message: GetMessage): Promise<boolean> {
  if (queue.deliveryLimit === null) return false;
  const delivered = Number(message.properties.headers?.["x-delivery-count"] ?? 0);
  const afterRequeue = delivered + 1;
  const left = queue.deliveryLimit - afterRequeue;
  if (left >= queue.reserve) return false;
  const id = scan.held.at(-1)!.id;
  if (left < 0) {
    const { content, properties } = message;
    await publishConfirmed(broker, scan.channel, { exchange: "", routingKey: queue.name }, content, {
      ...properties,
      // The broker keeps the delivery count; a copied x-delivery-count would only mislead.
      headers: Object.fromEntries(Object.entries(properties.headers ?? {}).filter(([key]) => key !== "x-delivery-count")),
      persistent: true,
    });
    settle(scan, scan.held.at(-1)!);
    scan.held.pop();
    scan.warnings.push(
      `message ${id} had used its ${queue.deliveryLimit} quorum deliveries; it was re-enqueued at the tail of ${queue.name} so the requeue would not drop it`,
    );
  } else {
    scan.warnings.push(
      `message ${id} has ${left} deliveries left before the quorum delivery limit (${queue.deliveryLimit}) of ${queue.name}; ` +
        "reading past it is refused so browsing cannot drop it",
    );
  }
  scan.refusal = `reading ${queue.name} stopped at message ${id} to protect its quorum delivery limit`;
  return true;
}

/** Fail with not-found when the queue does not exist, before any read. */
export function queueNotFound(broker: string, queue: string) {
  return brokerError("not-found", broker, `queue "${queue}" does not exist`, { queue });
}
