// A bulk lane's replays of one DLQ on one channel with one consumer. replay() per call opens a
// channel, declares, consumes, cancels and closes: ~12 ms of round trips per 500-message batch,
// and the next batch only starts streaming when the next call asks. A session keeps the consumer
// (prefetch: two batches) between calls, so the broker streams the next batch while this one's
// copies are confirmed, as a plain consume loop with that prefetch would. What it has read ahead is held unacked: it goes back to
// the DLQ, in order, when another reader in this process needs the queue, after SESSION_IDLE_MS
// without a call, and on close(); a crash returns it too (the broker requeues a closed channel's
// unacked messages). A batch the stream cannot serve straight from the head (other messages in
// between, fewer ready than asked, a quorum delivery limit) gives everything back and goes through
// the adapter's ordinary read.
import type { ChannelModel, ConfirmChannel } from "amqplib";
import type { ReplayOutcome, ReplayRequest, ReplaySession } from "../types";
import { toBrokerError } from "./connection";
import { stableId } from "./decode";
import { lostAcks } from "./replay";
import { awaitRequeued, CONSUME_IDLE_MS, type HeldMessage, type Scan, type ScanQueue } from "./scan";

type Destinations = readonly ("queue" | "exchange" | null)[];

/** What a session uses of its adapter. */
export interface SessionHost {
  broker(): string;
  /** The DLQ's reader slot in this process (other sessions give back first). */
  reader(queueId: string, owner: StreamingReplaySession): Promise<() => void>;
  scanQueue(queueId: string): Promise<ScanQueue>;
  connection(): Promise<ChannelModel>;
  destinations(requests: readonly ReplayRequest[]): Promise<Destinations>;
  /** Publish, confirm, then ack what the scan holds of the requests. */
  replayHeld(scan: Scan, queueId: string, requests: readonly ReplayRequest[], destinations: Destinations): Promise<ReplayOutcome[]>;
  /** The ordinary replay read (the caller holds the reader slot). */
  replayByScan(queueId: string, requests: readonly ReplayRequest[], destinations: Destinations): Promise<ReplayOutcome[]>;
  closed(session: StreamingReplaySession): void;
}

/** How long a session keeps messages read ahead when no call comes; then they go back to the DLQ. */
export const SESSION_IDLE_MS = 250;
/**
 * The consumer's prefetch, in batches: with two, the broker streams the next batch while this
 * one's copies wait for their confirms (the DLQ's queue process delivers while the source's
 * persists), instead of only after the acks.
 */
const READ_AHEAD = 2;

interface Stream {
  readonly model: ChannelModel;
  readonly channel: ConfirmChannel;
  consumerTag: string | null;
  /** The batch size the consumer was opened for (its prefetch is READ_AHEAD times that). */
  readonly window: number;
  /** Delivered and not yet acked, in delivery order. */
  held: HeldMessage[];
  /** Why the channel or the consumer ended, if it did: the broker has requeued what it held. */
  lost: unknown;
  wake: (() => void) | null;
}

export class StreamingReplaySession implements ReplaySession {
  private stream: Stream | null = null;
  private idle: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(
    private readonly host: SessionHost,
    readonly queueId: string,
  ) {}

  async replay(requests: readonly ReplayRequest[]): Promise<ReplayOutcome[]> {
    if (this.ended) throw new Error("replay session is closed");
    if (requests.length === 0) return [];
    const destinations = await this.host.destinations(requests);
    const release = await this.host.reader(this.queueId, this);
    this.clearIdle();
    try {
      const queue = await this.host.scanQueue(this.queueId);
      // A delivery limit needs each message seen before the next delivery spends one: no stream.
      const streamed = queue.deliveryLimit === null ? await this.fromStream(requests, destinations) : null;
      if (streamed) return streamed;
      await this.giveBack();
      return await this.host.replayByScan(this.queueId, requests, destinations);
    } finally {
      this.armIdle();
      release();
    }
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.clearIdle();
    const release = await this.host.reader(this.queueId, this);
    try {
      await this.giveBack();
    } finally {
      release();
      this.host.closed(this);
    }
  }

  /** The batch from the stream's head, or null when the stream cannot serve it (then nothing was sent). */
  private async fromStream(requests: readonly ReplayRequest[], destinations: Destinations): Promise<ReplayOutcome[] | null> {
    if (this.stream && (this.stream.lost || requests.length > this.stream.window)) await this.giveBack();
    const stream = this.stream ?? (await this.open(requests.length));
    const wanted = new Map<string, number>();
    for (const request of requests) wanted.set(request.id, (wanted.get(request.id) ?? 0) + 1);
    let missing = requests.length;
    let checked = 0;
    const take = () => {
      for (; checked < stream.held.length; checked++) {
        const id = stream.held[checked]!.id;
        const left = wanted.get(id) ?? 0;
        if (left > 0) {
          wanted.set(id, left - 1);
          missing--;
        }
      }
    };
    take();
    while (missing > 0) {
      // The window full of other messages, or no delivery for a while (fewer ready than asked):
      // the ordinary read looks further and tells not-found from not-yet-delivered.
      if (stream.lost || stream.held.length >= stream.window * READ_AHEAD) return null;
      const before = stream.held.length;
      await this.delivery(stream, CONSUME_IDLE_MS);
      if (stream.held.length === before) return null;
      take();
    }
    const scan: Scan = { channel: stream.channel, held: stream.held, remaining: 0, refusal: null, warnings: [], settled: new Set() };
    const outcomes = await this.host.replayHeld(scan, this.queueId, requests, destinations);
    stream.held = stream.held.filter((held) => !scan.settled.has(held.message.fields.deliveryTag));
    if (scan.settled.size > 0) {
      try {
        // Acks have no reply: a synchronous call on the same channel answers after the broker has
        // processed them, so "moved" means the DLQ copies are gone (as close-ok does for replay()).
        await stream.channel.checkQueue(this.queueId);
      } catch (error) {
        stream.lost ??= error;
        return lostAcks(outcomes, error);
      }
    }
    // A copy that stays (failed, kept) is held ahead of the read-ahead: back to the DLQ, in order.
    if (outcomes.some((outcome) => outcome.status !== "moved")) await this.giveBack();
    return outcomes;
  }

  private async open(window: number): Promise<Stream> {
    try {
      const model = await this.host.connection();
      const channel = await model.createConfirmChannel();
      const stream: Stream = { model, channel, consumerTag: null, window, held: [], lost: null, wake: null };
      channel.on("error", (error: unknown) => {
        stream.lost ??= error;
      });
      channel.on("close", () => {
        stream.lost ??= new Error("Channel closed");
        stream.consumerTag = null;
        stream.wake?.();
      });
      this.stream = stream;
      await channel.prefetch(window * READ_AHEAD);
      const { consumerTag } = await channel.consume(
        this.queueId,
        (message) => {
          if (message === null) {
            stream.lost ??= new Error(`the broker cancelled the read of ${this.queueId}`);
            stream.consumerTag = null;
          } else stream.held.push({ message, id: stableId(message) });
          stream.wake?.();
        },
        { noAck: false },
      );
      stream.consumerTag = consumerTag;
      return stream;
    } catch (error) {
      await this.giveBack();
      throw toBrokerError(this.host.broker(), error, this.queueId);
    }
  }

  /** Resolves on the stream's next delivery (or its end), or after `ms`. */
  private delivery(stream: Stream, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stream.wake = null;
        resolve();
      }
      stream.wake = done;
    });
  }

  /**
   * Give back what is held read ahead: cancel the consumer and requeue everything held, in order,
   * with one multiple-nack; then wait until the DLQ counts them as ready again. The caller holds
   * the reader slot (another reader of the DLQ, or this session).
   */
  async giveBack(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (!stream) return;
    const { channel } = stream;
    if (stream.lost) {
      await channel.close().catch(() => undefined); // gone with the channel: the broker requeued them
      return;
    }
    try {
      if (stream.consumerTag) await channel.cancel(stream.consumerTag); // after cancel-ok nothing more is delivered
      const last = stream.held.at(-1);
      if (!last) return await channel.close();
      const ready = (await channel.checkQueue(this.queueId)).messageCount;
      channel.nack(last.message, true, true);
      await channel.close();
      await awaitRequeued(stream.model, this.queueId, ready + stream.held.length).catch(() => undefined);
    } catch {
      await channel.close().catch(() => undefined); // closing requeues whatever is still unacked
    }
  }

  private armIdle(): void {
    this.clearIdle();
    if (this.ended || !this.stream) return;
    this.idle = setTimeout(() => {
      this.idle = null;
      void this.host.reader(this.queueId, this).then(async (release) => {
        try {
          await this.giveBack();
        } finally {
          release();
        }
      });
    }, SESSION_IDLE_MS);
    this.idle.unref();
  }

  private clearIdle(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
  }
}
