// Message lifecycle through the real SDK: TTL expiry to the DLQ, lock expiry and renewal,
// deferral and receive by sequence number, scheduling, receive-and-delete, size limits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep, startHarness, type Harness } from "./test-helpers";

describe("Service Bus emulator: message lifecycle", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      maxMessageSizeBytes: 64 * 1024,
      queues: [
        { name: "expiring", deadLetteringOnMessageExpiration: true, defaultMessageTimeToLiveMs: 200 },
        { name: "dropping", defaultMessageTimeToLiveMs: 200 },
        { name: "locks", lockDurationMs: 400, maxDeliveryCount: 2 },
        { name: "deferred" },
        { name: "scheduled" },
        { name: "rnd" },
        { name: "big" },
      ],
    });
  });
  afterAll(async () => h?.close());

  it("dead-letters expired messages where configured (TTLExpiredException), drops them elsewhere", async () => {
    await h.client.createSender("expiring").sendMessages([{ body: "default ttl" }, { body: "short", timeToLive: 50 }]);
    await h.client.createSender("dropping").sendMessages({ body: "gone" });
    await sleep(400);
    const dead = await h.client.createReceiver("expiring", { subQueueType: "deadLetter" }).peekMessages(5);
    expect(dead.map((m) => [m.body, m.deadLetterReason])).toEqual([["short", "TTLExpiredException"], ["default ttl", "TTLExpiredException"]]);
    expect(await h.client.createReceiver("expiring").peekMessages(5)).toEqual([]);
    expect(await h.client.createReceiver("dropping").peekMessages(5)).toEqual([]);
    expect((await h.admin.getQueueRuntimeProperties("dropping")).deadLetterMessageCount).toBe(0);
  });

  it("loses a lapsed lock (MessageLockLost), renews a live one, and counts lapses as deliveries", async () => {
    await h.client.createSender("locks").sendMessages({ body: "slow" });
    const receiver = h.client.createReceiver("locks", { maxAutoLockRenewalDurationInMs: 0 });
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 });
    const renewedUntil = await receiver.renewMessageLock(first!);
    expect(renewedUntil.getTime()).toBeGreaterThan(first!.lockedUntilUtc!.getTime() - 1);
    await sleep(600);
    await expect(receiver.completeMessage(first!)).rejects.toMatchObject({ code: "MessageLockLost" });
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(second!.deliveryCount).toBe(1);
    await sleep(600); // second lapse: maxDeliveryCount 2 reached
    const dead = await h.client.createReceiver("locks", { subQueueType: "deadLetter" }).peekMessages(5);
    expect(dead.map((m) => m.deadLetterReason)).toEqual(["MaxDeliveryCountExceeded"]);
    await receiver.close();
  });

  it("defers a message and receives it by sequence number", async () => {
    await h.client.createSender("deferred").sendMessages([{ body: "later" }, { body: "now" }]);
    const receiver = h.client.createReceiver("deferred");
    const [later] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 });
    await receiver.deferMessage(later!);
    const [now] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 });
    expect(now!.body).toBe("now");
    await receiver.completeMessage(now!);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
    const peeked = await h.client.createReceiver("deferred").peekMessages(5);
    expect(peeked.map((m) => [m.body, m.state])).toEqual([["later", "deferred"]]);
    const [again] = await receiver.receiveDeferredMessages(later!.sequenceNumber!);
    expect(again!.body).toBe("later");
    expect(again!.lockToken).toBeTruthy();
    await receiver.completeMessage(again!);
    expect(await h.client.createReceiver("deferred").peekMessages(5)).toEqual([]);
    await receiver.close();
  });

  it("holds scheduled messages until due and cancels them by sequence number", async () => {
    const sender = h.client.createSender("scheduled");
    // Far enough ahead that a loaded machine (tests run in parallel) cannot make it due early.
    const dueAt = Date.now() + 1200;
    const [keep] = await sender.scheduleMessages({ body: "due soon" }, new Date(dueAt));
    const [cancel] = await sender.scheduleMessages({ body: "cancelled" }, new Date(Date.now() + 60_000));
    expect((await h.admin.getQueueRuntimeProperties("scheduled")).scheduledMessageCount).toBe(2);
    await sender.cancelScheduledMessages(cancel!);
    const receiver = h.client.createReceiver("scheduled");
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 100 })).toEqual([]);
    await sleep(Math.max(0, dueAt - Date.now()) + 100);
    const [due] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(due!.body).toBe("due soon");
    expect(due!.sequenceNumber!.toNumber()).toBe(keep!.toNumber());
    await receiver.completeMessage(due!);
    await Promise.all([receiver.close(), sender.close()]);
  });

  it("receives and deletes in one step", async () => {
    await h.client.createSender("rnd").sendMessages([{ body: 1 }, { body: 2 }]);
    const receiver = h.client.createReceiver("rnd", { receiveMode: "receiveAndDelete" });
    const got = await receiver.receiveMessages(5, { maxWaitTimeInMs: 500 });
    expect(got.map((m) => m.body)).toEqual([1, 2]);
    expect(got[0]!.lockToken).toBeUndefined();
    expect(await h.client.createReceiver("rnd").peekMessages(5)).toEqual([]);
    await receiver.close();
  });

  it("limits batches to the link's maximum message size and refuses oversized messages", async () => {
    const sender = h.client.createSender("big");
    const batch = await sender.createMessageBatch();
    expect(batch.maxSizeInBytes).toBe(64 * 1024);
    expect(batch.tryAddMessage({ body: "x".repeat(40_000) })).toBe(true);
    expect(batch.tryAddMessage({ body: "y".repeat(40_000) })).toBe(false);
    await sender.sendMessages(batch);
    await expect(sender.sendMessages({ body: "z".repeat(70_000) })).rejects.toMatchObject({ code: "MessageSizeExceeded" });
    expect((await h.client.createReceiver("big").peekMessages(5))).toHaveLength(1);
    await sender.close();
  });
});
