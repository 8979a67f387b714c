// Queues through the real SDK: send, peek, peek-lock receive with complete/abandon/dead-letter,
// the DLQ, unknown entities, and the admin counts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./test-helpers";

describe("Service Bus emulator: queues", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      queues: [
        { name: "orders", maxDeliveryCount: 2, lockDurationMs: 5000 },
        { name: "peeks" },
        { name: "dl" },
        { name: "deduped", requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindowMs: 300 },
      ],
    });
  });
  afterAll(async () => h?.close());

  it("sends a batch and peeks it by sequence number, with paging", async () => {
    const sender = h.client.createSender("peeks");
    await sender.sendMessages([1, 2, 3, 4, 5].map((n) => ({ body: { n }, messageId: `m-${n}`, applicationProperties: { n } })));
    const receiver = h.client.createReceiver("peeks");
    const first = await receiver.peekMessages(2);
    expect(first.map((m) => m.body)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(first.map((m) => m.sequenceNumber!.toNumber())).toEqual([1, 2]);
    const next = await receiver.peekMessages(10);
    expect(next.map((m) => m.messageId)).toEqual(["m-3", "m-4", "m-5"]);
    expect(await receiver.peekMessages(10)).toEqual([]);
    const from = await receiver.peekMessages(2, { fromSequenceNumber: (first[1]!.sequenceNumber!) });
    expect(from.map((m) => m.applicationProperties?.n)).toEqual([2, 3]);
    expect(from[0]!.enqueuedTimeUtc).toBeInstanceOf(Date);
    await receiver.close();
    await sender.close();
  });

  it("receives under a peek lock; complete removes, abandon redelivers with a higher delivery count", async () => {
    const sender = h.client.createSender("orders");
    await sender.sendMessages({ body: "first" });
    await sender.sendMessages({ body: "second" });
    const receiver = h.client.createReceiver("orders");
    const [a, b] = await receiver.receiveMessages(2, { maxWaitTimeInMs: 1000 });
    expect([a!.body, b!.body]).toEqual(["first", "second"]);
    expect(a!.deliveryCount).toBe(0);
    expect(a!.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(a!.lockedUntilUtc!.getTime()).toBeGreaterThan(Date.now());
    expect(a!.messageId).toBeTruthy();
    await receiver.completeMessage(a!);
    await receiver.abandonMessage(b!);
    const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(again!.body).toBe("second");
    expect(again!.deliveryCount).toBe(1);
    // maxDeliveryCount 2: the second abandon sends it to the DLQ.
    await receiver.abandonMessage(again!);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
    const dlq = h.client.createReceiver("orders", { subQueueType: "deadLetter" });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(dead!.body).toBe("second");
    expect(dead!.deadLetterReason).toBe("MaxDeliveryCountExceeded");
    expect(dead!.deadLetterSource).toBe("orders");
    await dlq.completeMessage(dead!);
    await Promise.all([receiver.close(), dlq.close(), sender.close()]);
  });

  it("dead-letters with a reason and description that peek and admin counts show", async () => {
    const sender = h.client.createSender("dl");
    await sender.sendMessages([{ body: Buffer.from([0, 1, 2, 255]) }, { body: "keep" }]);
    const receiver = h.client.createReceiver("dl");
    const [binary] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    await receiver.deadLetterMessage(binary!, { deadLetterReason: "PoisonMessage", deadLetterErrorDescription: "bad bytes at 3", customer: "c-1" } as never);
    const peeked = await h.client.createReceiver("dl", { subQueueType: "deadLetter" }).peekMessages(5);
    expect(peeked).toHaveLength(1);
    expect(Buffer.from(peeked[0]!.body as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(peeked[0]!.deadLetterReason).toBe("PoisonMessage");
    expect(peeked[0]!.deadLetterErrorDescription).toBe("bad bytes at 3");
    const runtime = await h.admin.getQueueRuntimeProperties("dl");
    expect(runtime.deadLetterMessageCount).toBe(1);
    expect(runtime.activeMessageCount).toBe(1);
    await receiver.close();
    await sender.close();
  });

  it("refuses unknown entities with MessagingEntityNotFound", async () => {
    const sender = h.client.createSender("nope");
    await expect(sender.sendMessages({ body: 1 })).rejects.toMatchObject({ code: "MessagingEntityNotFound" });
    const receiver = h.client.createReceiver("nope");
    await expect(receiver.peekMessages(1)).rejects.toMatchObject({ code: "MessagingEntityNotFound" });
    await expect(h.admin.getQueue("nope")).rejects.toMatchObject({ code: "MessageEntityNotFoundError" });
  });

  it("lists queues with settings and runtime counts, with paging", async () => {
    const queues = [];
    for await (const queue of h.admin.listQueues()) queues.push(queue);
    expect(queues.map((q) => q.name)).toEqual(["orders", "peeks", "dl", "deduped"]);
    expect(queues[0]!.maxDeliveryCount).toBe(2);
    expect(queues[0]!.lockDuration).toBe("PT5S");
    const page = await h.admin.listQueuesRuntimeProperties().byPage({ maxPageSize: 2 }).next();
    expect(page.value.map((q: { name: string }) => q.name)).toEqual(["orders", "peeks"]);
    const runtime = [];
    for await (const queue of h.admin.listQueuesRuntimeProperties()) runtime.push(queue);
    expect(runtime.find((q) => q.name === "peeks")!.activeMessageCount).toBe(5);
    // Every page follows the SDK's next link, not only the first.
    const pages = [];
    for await (const queuePage of h.admin.listQueues().byPage({ maxPageSize: 1 })) pages.push(queuePage.map((q) => q.name));
    expect(pages).toEqual([["orders"], ["peeks"], ["dl"], ["deduped"]]);
  });

  it("drops a message whose id was sent within the duplicate detection window", async () => {
    const sender = h.client.createSender("deduped");
    await sender.sendMessages([{ body: "first", messageId: "same" }, { body: "again", messageId: "same" }, { body: "other", messageId: "other" }]);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await sender.sendMessages({ body: "after the window", messageId: "same" });
    const receiver = h.client.createReceiver("deduped");
    expect((await receiver.peekMessages(10)).map((m) => m.body)).toEqual(["first", "other", "after the window"]);
    const queue = await h.admin.getQueue("deduped");
    expect([queue.requiresDuplicateDetection, queue.duplicateDetectionHistoryTimeWindow]).toEqual([true, "PT0.3S"]);
    await sender.close();
    await receiver.close();
  });

  it("refuses to dead-letter inside a DLQ and keeps the message", async () => {
    const receiver = h.client.createReceiver("dl", { subQueueType: "deadLetter" });
    const [dead] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    const error = await receiver.deadLetterMessage(dead!, { deadLetterReason: "again", deadLetterErrorDescription: "twice" }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ message: expect.stringContaining("already a dead-letter queue") });
    // The SDK continues peeks per entity path from the last peeked number; start from this one.
    const peeked = await receiver.peekMessages(5, { fromSequenceNumber: dead!.sequenceNumber! });
    expect(peeked.map((m) => m.deadLetterReason)).toEqual(["PoisonMessage"]);
    await receiver.close();
  });
});
