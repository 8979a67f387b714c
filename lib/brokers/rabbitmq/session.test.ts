// The replay session a bulk lane uses on RabbitMQ (session.ts): one channel and consumer across
// batches, reading the next batch ahead. What it holds read ahead must never be lost or hidden for
// long: other readers see it, an idle session gives it back, purge removes it, and a crash
// returns it; rule 2 holds per batch as it does for replay().
import type { ChannelModel, ConfirmChannel } from "amqplib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReplaySession } from "../types";
import { eventually } from "../testing/contract";
import { REPLAY_HEADERS } from "./replay";
import { SESSION_IDLE_MS } from "./session";
import { createRabbitFixture, type RabbitFixture } from "./test-fixture";

const stamp = { operationId: "op-session", operator: "test", replayCount: 1 };
const requests = (ids: readonly string[]) => ids.map((id) => ({ id, stamp }));
const id = (n: number) => `session-${n}`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, offset) => id(from + offset));

describe("rabbitmq replay session", () => {
  let fixture: RabbitFixture;
  let session: ReplaySession | null = null;
  let restore: (() => void) | null = null;

  beforeEach(async () => {
    fixture = await createRabbitFixture();
  });
  afterEach(async () => {
    restore?.();
    await session?.close().catch(() => undefined);
    session = null;
    await fixture.cleanup();
  });

  /** n dead letters, each with a distinct body (one of them binary) and a header of its own. */
  async function seed(n: number): Promise<Buffer[]> {
    const bodies = Array.from({ length: n }, (_, index) => (index === 3 ? Buffer.from([0, 255, 1, 254, 10, 13]) : Buffer.from(JSON.stringify({ n: index, text: "é\u2028" }))));
    await fixture.deadLetterBulk(bodies.map((content, index) => ({ content, options: { messageId: id(index), persistent: true, headers: { tenant: `t${index}` } } })));
    return bodies;
  }

  /** Every message in the source, removed, in order: id, body and headers. */
  async function drainSource() {
    const channel = await fixture.model.createChannel();
    const copies: { id: string; content: Buffer; headers: Record<string, unknown> }[] = [];
    for (;;) {
      const message = await channel.get(fixture.source.id, { noAck: true });
      if (message === false) break;
      copies.push({ id: String(message.properties.messageId), content: message.content, headers: message.properties.headers ?? {} });
    }
    await channel.close();
    return copies;
  }

  const browseIds = async () => (await fixture.adapter.browse(fixture.dlq.id, { limit: 100 })).messages.map((message) => message.id);

  it("moves consecutive batches with their bytes, headers and stamp, and another reader sees what it reads ahead, in order", async () => {
    const bodies = await seed(30);
    session = fixture.adapter.openReplaySession!(fixture.dlq.id);
    expect((await session.replay(requests(range(0, 10)))).map((outcome) => outcome.status)).toEqual(Array(10).fill("moved"));
    // The session's consumer reads the next batches ahead; a browse meanwhile still sees them all.
    expect(await browseIds()).toEqual(range(10, 30));
    expect((await session.replay(requests(range(10, 20)))).every((outcome) => outcome.status === "moved")).toBe(true);
    expect((await session.replay(requests(range(20, 30)))).every((outcome) => outcome.status === "moved")).toBe(true);
    await session.close();
    session = null;

    const copies = await drainSource();
    expect(copies.map((copy) => copy.id)).toEqual(range(0, 30));
    for (const [index, copy] of copies.entries()) {
      expect(copy.content.equals(bodies[index]!)).toBe(true);
      expect(copy.headers).toMatchObject({ tenant: `t${index}`, [REPLAY_HEADERS.operationId]: "op-session", [REPLAY_HEADERS.replayCount]: 1 });
      expect(copy.headers["x-death"]).toBeUndefined();
    }
    expect(await fixture.depth(fixture.dlq.id)).toBe(0);
  });

  it("gives what it read ahead back to the DLQ, in order, when no call comes", async () => {
    await seed(20);
    session = fixture.adapter.openReplaySession!(fixture.dlq.id);
    await session.replay(requests(range(0, 5)));
    await new Promise((resolve) => setTimeout(resolve, SESSION_IDLE_MS + 100));
    // Ready again for any consumer, not only for readers in this process.
    await eventually(() => fixture.depth(fixture.dlq.id), (depth) => expect(depth).toBe(15));
    expect(await browseIds()).toEqual(range(5, 20));
    // The session goes on after giving back.
    expect((await session.replay(requests(range(5, 20)))).every((outcome) => outcome.status === "moved")).toBe(true);
    expect(await fixture.depth(fixture.dlq.id)).toBe(0);
  });

  it("serves a batch that is not at the head through the ordinary read: skipped messages stay, in order, and a missing id is not-found", async () => {
    await seed(10);
    session = fixture.adapter.openReplaySession!(fixture.dlq.id);
    const outcomes = await session.replay(requests([id(2), id(5), "session-missing", id(7)]));
    expect(outcomes.map((outcome) => [outcome.id, outcome.status])).toEqual([
      [id(2), "moved"],
      [id(5), "moved"],
      ["session-missing", "not-found"],
      [id(7), "moved"],
    ]);
    expect(await browseIds()).toEqual([0, 1, 3, 4, 6, 8, 9].map(id));
    expect((await drainSource()).map((copy) => copy.id)).toEqual([id(2), id(5), id(7)]);
  });

  it("lets a purge remove what it holds read ahead", async () => {
    await seed(20);
    session = fixture.adapter.openReplaySession!(fixture.dlq.id);
    await session.replay(requests(range(0, 5)));
    expect(await fixture.adapter.purge(fixture.dlq.id)).toEqual({ removed: 15 });
    await session.close();
    session = null;
    // Nothing held unacked came back after the purge.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await fixture.depth(fixture.dlq.id)).toBe(0);
  });

  it("leaves a duplicate, never a gap, when the connection dies between the confirms and the acks", async () => {
    await seed(3);
    // Every ChannelModel shares one prototype: make the session's channel cut its socket the
    // moment the broker confirms a publish, before the acks can go out.
    const prototype = Object.getPrototypeOf(fixture.model) as ChannelModel;
    const original = prototype.createConfirmChannel;
    prototype.createConfirmChannel = async function (this: ChannelModel, ...args: Parameters<ChannelModel["createConfirmChannel"]>) {
      const channel: ConfirmChannel = await original.apply(this, args);
      channel.on("ack", () => (this.connection as unknown as { stream: { destroy(error: Error): void } }).stream.destroy(new Error("test: socket cut after confirm")));
      return channel;
    };
    restore = () => {
      prototype.createConfirmChannel = original;
    };
    session = fixture.adapter.openReplaySession!(fixture.dlq.id);
    const outcomes = await session.replay(requests(range(0, 3))).then(
      (result) => result.map((outcome) => outcome.status),
      (error: unknown) => `threw: ${String(error)}`,
    );
    restore();
    restore = null;
    // Whatever was confirmed is in the source; the acks never arrived, so every DLQ copy is back.
    const inSource = await eventually(() => fixture.depth(fixture.source.id), (depth) => expect(depth).toBeGreaterThan(0));
    await eventually(() => fixture.depth(fixture.dlq.id), (depth) => expect(depth).toBe(3));
    // Never reported moved: the session cannot claim the DLQ copies are gone.
    expect(outcomes).not.toContain("moved");
    expect(inSource).toBeLessThanOrEqual(3);
    // The session recovers on the next call (a new connection and channel).
    await eventually(
      () => session!.replay(requests(range(0, 3))).then((result) => result.map((outcome) => outcome.status), (error: unknown) => [String(error)]),
      (statuses) => expect(statuses).toEqual(["moved", "moved", "moved"]),
    );
    expect(await fixture.depth(fixture.dlq.id)).toBe(0);
  });
});
