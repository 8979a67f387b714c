// Remove and purge on the emulator, checked through the SDK: which sequence numbers are gone, which
// stay (in order), deferred messages included.
import Long from "long";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browseAll } from "../testing/contract";
import { createServicebusAdapter } from "./index";
import { createServicebusFixture, type ServicebusFixture } from "./test-fixture";

const utf8 = (text: string) => Buffer.from(text, "utf8");

describe("servicebus remove and purge on the emulator", () => {
  let f: ServicebusFixture;
  beforeAll(async () => {
    f = await createServicebusFixture({
      queues: [
        { name: "picks" },
        { name: "deferrals" },
        { name: "many", defaultMessageTimeToLiveMs: 1, deadLetteringOnMessageExpiration: true },
        { name: "deep" },
        // Expiring messages are dead-lettered by the broker itself: a fast way to fill a DLQ.
        { name: "bulk", defaultMessageTimeToLiveMs: 1, deadLetteringOnMessageExpiration: true },
      ],
    });
  });
  afterAll(async () => f?.cleanup());

  /** Defer the DLQ messages with these message ids (a consumer of the DLQ did so). */
  async function deferInDlq(queue: string, messageIds: readonly string[]): Promise<void> {
    const receiver = f.client.createReceiver(queue, { subQueueType: "deadLetter" });
    const messages = await receiver.receiveMessages(100, { maxWaitTimeInMs: 500 });
    for (const message of messages) {
      if (messageIds.includes(String(message.messageId))) await receiver.deferMessage(message);
      else await receiver.abandonMessage(message);
    }
    await receiver.close();
  }

  async function fillByExpiry(queue: string, count: number): Promise<void> {
    const sender = f.client.createSender(queue);
    for (let start = 0; start < count; start += 200) {
      await sender.sendMessages(Array.from({ length: Math.min(200, count - start) }, (_, index) => ({ body: utf8(`m${start + index}`), messageId: `bulk-${start + index}` })));
    }
    await sender.close();
    const deadline = Date.now() + 10_000;
    while ((await f.adapter.listDeadLetterQueues()).find((queueInfo) => queueInfo.id === `${queue}/$DeadLetterQueue`)!.depth < count) {
      if (Date.now() > deadline) throw new Error("messages did not expire into the DLQ");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("removes the selected messages and leaves the others in order", async () => {
    await f.deadLetter("picks", "picks", ["p1", "p2", "p3", "p4", "p5"].map((id) => ({ body: utf8(id), messageId: id })));
    const dead = await browseAll(f.adapter, "picks/$DeadLetterQueue");
    const [, second, , fourth] = dead;
    const outcomes = await f.adapter.remove("picks/$DeadLetterQueue", [fourth!.id, second!.id, "424242", "junk"]);
    expect(outcomes).toEqual([
      { id: fourth!.id, status: "removed" },
      { id: second!.id, status: "removed" },
      { id: "424242", status: "not-found" },
      { id: "junk", status: "not-found" },
    ]);
    const left = await f.peekAll("picks", "deadLetter");
    expect(left.map((message) => message.messageId)).toEqual(["p1", "p3", "p5"]);
    expect(left.map((message) => message.sequenceNumber!.toString())).toEqual([dead[0]!.id, dead[2]!.id, dead[4]!.id]);
  });

  it("removes a deferred dead letter, fetched by its sequence number", async () => {
    await f.deadLetter("deferrals", "deferrals", ["d1", "d2", "d3"].map((id) => ({ body: utf8(id), messageId: id })));
    await deferInDlq("deferrals", ["d2"]);
    const dead = await browseAll(f.adapter, "deferrals/$DeadLetterQueue");
    const deferred = dead.find((message) => message.messageId === "d2")!;
    expect(deferred.systemProperties.state).toBe("deferred");
    expect(await f.adapter.remove("deferrals/$DeadLetterQueue", [deferred.id])).toEqual([{ id: deferred.id, status: "removed" }]);
    expect((await f.peekAll("deferrals", "deadLetter")).map((m) => m.messageId)).toEqual(["d1", "d3"]);
  });

  it("purges the whole DLQ in batches, deferred messages included, and no other DLQ", async () => {
    await fillByExpiry("bulk", 1200);
    await deferInDlq("bulk", ["bulk-0", "bulk-1", "bulk-2"]);
    const result = await f.adapter.purge("bulk/$DeadLetterQueue");
    expect(result).toEqual({ removed: 1200 });
    const receiver = f.client.createReceiver("bulk", { subQueueType: "deadLetter" });
    expect(await receiver.peekMessages(10, { fromSequenceNumber: Long.ZERO })).toEqual([]);
    await receiver.close();
    expect((await f.peekAll("picks", "deadLetter")).map((message) => message.messageId)).toEqual(["p1", "p3", "p5"]);
    expect(await f.adapter.purge("bulk/$DeadLetterQueue")).toEqual({ removed: 0 });
  });

  it("replays a deferred dead letter, and hundreds at once in batches", async () => {
    await fillByExpiry("many", 300);
    await deferInDlq("many", ["bulk-5"]);
    const dead = await browseAll(f.adapter, "many/$DeadLetterQueue", 100);
    expect(dead).toHaveLength(300);
    const stamp = { operationId: "op-bulk", operator: "carol@example.com", replayCount: 1 };
    // Into another queue: "many" would expire the copies straight back.
    const outcomes = await f.adapter.replay("many/$DeadLetterQueue", dead.map((message) => ({ id: message.id, stamp, destination: { id: "deep" } })));
    expect(outcomes.filter((outcome) => outcome.status === "moved")).toHaveLength(300);
    expect(await f.peekAll("many", "deadLetter")).toEqual([]);
    const copies = await f.drain("deep");
    expect(copies.map((copy) => copy.messageId)).toEqual(dead.map((message) => message.messageId));
  });

  it("gives up past maxScan messages ahead of a target, and hands them all back", async () => {
    await f.deadLetter("deep", "deep", ["q1", "q2", "q3", "q4"].map((id) => ({ body: utf8(id), messageId: id })));
    const dead = await browseAll(f.adapter, "deep/$DeadLetterQueue");
    const narrow = createServicebusAdapter({ name: "narrow", connection: { connectionString: f.emulator.connectionString, maxScan: 2, receiveWaitMs: 300 } });
    try {
      const [outcome] = await narrow.remove("deep/$DeadLetterQueue", [dead[3]!.id]);
      expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(/maxScan/) });
    } finally {
      await narrow.close();
    }
    // Nothing is left locked: a receiver gets the head at once.
    const receiver = f.client.createReceiver("deep", { subQueueType: "deadLetter" });
    const [head] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(head?.messageId).toBe("q1");
    await receiver.abandonMessage(head!);
    await receiver.close();
    expect((await f.peekAll("deep", "deadLetter")).map((m) => m.messageId)).toEqual(["q1", "q2", "q3", "q4"]);
  });
});
