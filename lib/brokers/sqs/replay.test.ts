// Replay, remove and purge against both emulators, with real failures (no SDK stubs).
import type { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokerError } from "../errors";
import { browseAll, eventually } from "../testing/contract";
import type { ReplayStamp } from "../types";
import { backoffDelayMs } from "./client";
import { ORIGINAL_ID_ATTRIBUTE, REPLAY_ATTRIBUTE } from "./decode";
import type { SqsAdapter } from "./index";
import {
  createRedrivePair,
  deadLetterThroughSource,
  drain,
  emulatorAdapter,
  startEmulator,
  testClient,
  type EmulatorName,
  type RunningEmulator,
} from "./testing/emulators";

const utf8 = new TextEncoder();
const stamp = (operationId: string): ReplayStamp => ({ operationId, operator: "test@example.com", replayCount: 1 });
const stringAttribute = (value: string) => ({ DataType: "String", StringValue: value });

async function depth(adapter: SqsAdapter, queueId: string): Promise<number | undefined> {
  return (await adapter.listDeadLetterQueues()).find((queue) => queue.id === queueId)?.depth;
}

describe.each(["local-aws-sqs", "fauxqs"] as const)("SQS replay and removal (%s)", (emulatorName: EmulatorName) => {
  let emulator: RunningEmulator;
  let client: SQSClient;
  let adapter: SqsAdapter;
  const label = `replay-${emulatorName === "fauxqs" ? "fx" : "la"}`;

  beforeAll(async () => {
    emulator = await startEmulator(emulatorName);
    client = testClient(emulator.endpoint);
    adapter = emulatorAdapter(emulator, label);
  });
  afterAll(async () => {
    await adapter?.close();
    client?.destroy();
    await emulator?.stop();
  });

  it("replays a FIFO DLQ of 3 groups × 20 messages with each group's order intact", async () => {
    const pair = await createRedrivePair(client, { label, fifo: true });
    const seeds = Array.from({ length: 60 }, (_, index) => ({
      body: JSON.stringify({ group: `g${index % 3}`, seq: Math.floor(index / 3) }),
      groupId: `g${index % 3}`,
    }));
    const ids = await deadLetterThroughSource(client, pair, seeds);
    await eventually(() => depth(adapter, pair.dlq.name), (value) => expect(value).toBe(60));

    const outcomes = await adapter.replay(pair.dlq.name, ids.map((id) => ({ id, stamp: stamp("op-fifo") })));
    expect(outcomes.filter((outcome) => outcome.status !== "moved")).toEqual([]);

    const delivered = await drain(client, pair.source.url);
    expect(delivered).toHaveLength(60);
    const sequences = new Map<string, number[]>();
    for (const message of delivered) {
      const { group, seq } = JSON.parse(message.Body!) as { group: string; seq: number };
      expect(message.Attributes?.MessageGroupId).toBe(group);
      sequences.set(group, [...(sequences.get(group) ?? []), seq]);
    }
    const inOrder = Array.from({ length: 20 }, (_, index) => index);
    expect(Object.fromEntries(sequences)).toEqual({ g0: inOrder, g1: inOrder, g2: inOrder });
    await eventually(() => depth(adapter, pair.dlq.name), (value) => expect(value).toBe(0));
  }, 120_000);

  it("stops a FIFO group at a refused copy so later messages of the group are not sent out of order", async () => {
    const pair = await createRedrivePair(client, { label, fifo: true });
    const ids = await deadLetterThroughSource(client, pair, ["a", "b", "c"].map((body) => ({ body, groupId: "only-group" })));
    const outcomes = await adapter.replay(pair.dlq.name, [
      { id: ids[0]!, stamp: stamp("op-fifo-fail") },
      // Refused for real: fauxqs by the control character, local-aws-sqs by the empty attribute.
      { id: ids[1]!, body: utf8.encode("b \u0001"), properties: { note: "" }, stamp: stamp("op-fifo-fail") },
      { id: ids[2]!, stamp: stamp("op-fifo-fail") },
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["moved", "failed", "failed"]);
    expect((await drain(client, pair.source.url)).map((message) => message.Body)).toEqual(["a"]);
    await eventually(() => depth(adapter, pair.dlq.name), (value) => expect(value).toBe(2));
  });

  it("drops a repeated replay of the same FIFO message inside the 5-minute deduplication window", async () => {
    const pair = await createRedrivePair(client, { label, fifo: true });
    const [id] = await deadLetterThroughSource(client, pair, [{ body: '{"order":42}', groupId: "orders-42" }]);
    const first = await adapter.replay(pair.dlq.name, [{ id: id!, keepOriginal: true, stamp: stamp("op-first") }]);
    const again = await adapter.replay(pair.dlq.name, [{ id: id!, keepOriginal: true, stamp: { ...stamp("op-again"), replayCount: 2 } }]);
    expect([first[0]?.status, again[0]?.status]).toEqual(["sent-kept", "sent-kept"]);
    const delivered = await drain(client, pair.source.url);
    expect(delivered.map((message) => message.Body)).toEqual(['{"order":42}']);
    expect(delivered[0]?.Attributes?.MessageGroupId).toBe("orders-42");
  });

  it("deletes only the messages whose send succeeded when one entry of a batch fails", async () => {
    const pair = await createRedrivePair(client, { label });
    const ids = await deadLetterThroughSource(client, pair, [
      { body: '{"n":1}', attributes: { [ORIGINAL_ID_ATTRIBUTE]: stringAttribute("first-life-id"), tenant: stringAttribute("a") } },
      { body: '{"n":2}' },
      { body: '{"n":3}', attributes: { count: { DataType: "Number", StringValue: "3" }, blob: { DataType: "Binary", BinaryValue: Uint8Array.of(0, 255) } } },
    ]);
    // One edited copy SQS refuses for real: fauxqs rejects the control character in the body,
    // local-aws-sqs the empty String attribute (AWS rejects both).
    const outcomes = await adapter.replay(pair.dlq.name, [
      { id: ids[0]!, stamp: stamp("op-batch") },
      { id: ids[1]!, body: utf8.encode("bad \u0001 body"), properties: { note: "" }, stamp: stamp("op-batch") },
      { id: ids[2]!, stamp: stamp("op-batch") },
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["moved", "failed", "moved"]);
    expect(outcomes[1]).toMatchObject({ status: "failed", error: expect.stringContaining("SQS refused the copy") });

    const left = await browseAll(adapter, pair.dlq.name);
    expect(left.map((message) => message.id)).toEqual([ids[1]]);

    const copies = await drain(client, pair.source.url);
    expect(copies.map((copy) => copy.Body).sort()).toEqual(['{"n":1}', '{"n":3}']);
    const first = copies.find((copy) => copy.Body === '{"n":1}')!;
    const third = copies.find((copy) => copy.Body === '{"n":3}')!;
    // A copy replayed before keeps its first id; a first replay carries the DLQ message's id.
    expect(first.MessageAttributes?.[ORIGINAL_ID_ATTRIBUTE]?.StringValue).toBe("first-life-id");
    expect(first.MessageAttributes?.tenant?.StringValue).toBe("a");
    expect(third.MessageAttributes?.[ORIGINAL_ID_ATTRIBUTE]?.StringValue).toBe(ids[2]);
    expect(third.MessageId).not.toBe(ids[2]);
    expect(third.MessageAttributes?.count).toEqual({ DataType: "Number", StringValue: "3" });
    expect(Array.from(third.MessageAttributes?.blob?.BinaryValue ?? [])).toEqual([0, 255]);
    const replayMeta = JSON.parse(third.MessageAttributes?.[REPLAY_ATTRIBUTE]?.StringValue ?? "{}") as Record<string, unknown>;
    expect(replayMeta).toMatchObject({ operationId: "op-batch", operator: "test@example.com", replayCount: 1, from: pair.dlq.name });
  });

  it("refuses a copy over the 10-attribute limit with a clear error and keeps the message", async () => {
    const pair = await createRedrivePair(client, { label });
    const attributes = Object.fromEntries(Array.from({ length: 9 }, (_, index) => [`attr${index}`, stringAttribute(`v${index}`)]));
    const [id] = await deadLetterThroughSource(client, pair, [{ body: "nine attributes", attributes }]);
    const [outcome] = await adapter.replay(pair.dlq.name, [{ id: id!, stamp: stamp("op-limit") }]);
    expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(/at most 10 message attributes; this copy would carry 11/) });
    expect((await browseAll(adapter, pair.dlq.name)).map((message) => message.id)).toEqual([id]);
    expect(await drain(client, pair.source.url)).toEqual([]);
  });

  it("browses and scans without removing anything", async () => {
    const pair = await createRedrivePair(client, { label });
    const ids = await deadLetterThroughSource(client, pair, Array.from({ length: 15 }, (_, index) => ({ body: `message ${index}` })));
    const browsed = await browseAll(adapter, pair.dlq.name, 4);
    expect(browsed.map((message) => message.id)).toEqual(ids);
    expect(browsed[0]!.attempts.count).toBeGreaterThanOrEqual(1);
    expect(browsed[0]!.attempts.cap).toBe(1);
    const scanned: string[] = [];
    for await (const message of adapter.scan(pair.dlq.name)) scanned.push(message.id);
    expect(scanned.sort()).toEqual([...ids].sort());
    // An abandoned scan releases what it read at once (it would otherwise stay hidden for 900 s).
    for await (const message of adapter.scan(pair.dlq.name)) if (message) break;
    await eventually(() => depth(adapter, pair.dlq.name), (value) => expect(value).toBe(15));
    expect((await browseAll(adapter, pair.dlq.name)).map((message) => message.id)).toEqual(ids);
    await expect(adapter.browse(pair.dlq.name, { cursor: "not-a-cursor", limit: 1 })).rejects.toMatchObject({ code: "invalid-request" });
  });

  it("sends restored messages with their original id, group and content type", async () => {
    const pair = await createRedrivePair(client, { label, fifo: true });
    const outcomes = await adapter.send({ id: pair.source.name }, [
      { messageId: "archived-1", body: utf8.encode('{"step":1}'), contentType: "application/json", properties: { tenant: "a", attempt: 2 }, partitionKey: "cus-7", stamp: stamp("op-restore") },
      { messageId: "archived-2", body: utf8.encode('{"step":2}'), contentType: null, properties: {}, partitionKey: "cus-7", stamp: stamp("op-restore") },
      { messageId: "archived-3", body: Uint8Array.of(0xff, 0xfe), contentType: null, properties: {}, partitionKey: "cus-8", stamp: stamp("op-restore") },
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["sent", "sent", "failed"]);
    expect(outcomes[2]).toMatchObject({ error: expect.stringContaining("not valid UTF-8") });
    const delivered = await drain(client, pair.source.url);
    expect(delivered.map((message) => message.MessageAttributes?.[ORIGINAL_ID_ATTRIBUTE]?.StringValue)).toEqual(["archived-1", "archived-2"]);
    expect(delivered[0]?.Attributes?.MessageGroupId).toBe("cus-7");
    expect(delivered[0]?.MessageAttributes?.ContentType?.StringValue).toBe("application/json");
    expect(delivered[0]?.MessageAttributes?.attempt).toEqual({ DataType: "Number", StringValue: "2" });
  });

  it("removes selected messages by id and reports ids that are not there", async () => {
    const pair = await createRedrivePair(client, { label });
    const ids = await deadLetterThroughSource(client, pair, [{ body: "keep" }, { body: "drop" }]);
    const outcomes = await adapter.remove(pair.dlq.name, [ids[1]!, "no-such-id"]);
    expect(outcomes).toEqual([
      { id: ids[1], status: "removed" },
      { id: "no-such-id", status: "not-found" },
    ]);
    expect((await browseAll(adapter, pair.dlq.name)).map((message) => message.id)).toEqual([ids[0]]);
  });

  it("purges a queue, and refuses a second purge within 60 s where the emulator enforces it", async () => {
    const pair = await createRedrivePair(client, { label });
    await deadLetterThroughSource(client, pair, [{ body: "junk 1" }, { body: "junk 2" }]);
    expect(await adapter.purge(pair.dlq.name)).toEqual({ removed: null });
    if (emulatorName === "fauxqs") {
      // fauxqs purges at once but does not enforce the once-per-60-s rule.
      await eventually(() => depth(adapter, pair.dlq.name), (value) => expect(value).toBe(0));
      return;
    }
    // local-aws-sqs, like AWS, finishes a purge within 60 s and refuses another meanwhile.
    const error = await adapter.purge(pair.dlq.name).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(BrokerError);
    expect((error as BrokerError).code).toBe("refused");
    expect((error as BrokerError).message).toMatch(/one PurgeQueue per queue every 60 seconds/);
    expect((error as BrokerError).message).toContain(pair.dlq.name);
  });
});

describe("retry backoff", () => {
  it("grows exponentially to the cap and adds jitter below the base", () => {
    expect(backoffDelayMs(0, 100, 5000, () => 0)).toBe(100);
    expect(backoffDelayMs(3, 100, 5000, () => 0)).toBe(800);
    expect(backoffDelayMs(10, 100, 5000, () => 0)).toBe(5000);
    expect(backoffDelayMs(10, 100, 5000, () => 0.999)).toBe(5099);
  });
});
