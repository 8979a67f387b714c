// Discovery and decoding on the emulator: a namespace with more entities than one admin page, the
// transfer DLQ, entity settings, and what a dead letter decodes to (reasons, attempts, history).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkQueues } from "@/lib/hygiene/checks";
import { browseAll } from "../testing/contract";
import { createServicebusFixture, type ServicebusFixture } from "./test-fixture";

const utf8 = (text: string) => Buffer.from(text, "utf8");
const QUEUES = 1500;
const SUBSCRIPTIONS = 130;

describe("servicebus discovery and decoding on the emulator", () => {
  let f: ServicebusFixture;
  beforeAll(async () => {
    f = await createServicebusFixture({
      queues: [
        ...Array.from({ length: QUEUES }, (_, index) => ({ name: `bulk-${String(index).padStart(4, "0")}` })),
        { name: "capped", maxDeliveryCount: 2, lockDurationMs: 5000, defaultMessageTimeToLiveMs: 3_600_000 },
        { name: "expiring", defaultMessageTimeToLiveMs: 1, deadLetteringOnMessageExpiration: true },
        { name: "sessions", requiresSession: true },
        { name: "broken-relay", forwardTo: "missing-target" },
      ],
      topics: [{ name: "wide", subscriptions: Array.from({ length: SUBSCRIPTIONS }, (_, index) => ({ name: `sub-${index}` })) }],
    });
  });
  afterAll(async () => f?.cleanup());

  it("pages through every queue and subscription and lists one DLQ for each, with its source and settings", async () => {
    const queues = await f.adapter.listDeadLetterQueues();
    const ids = new Set(queues.map((queue) => queue.id));
    expect(queues.filter((queue) => queue.id.startsWith("bulk-"))).toHaveLength(QUEUES);
    expect(queues.filter((queue) => queue.id.startsWith("wide/Subscriptions/"))).toHaveLength(SUBSCRIPTIONS);
    expect(ids.has("bulk-1499/$DeadLetterQueue")).toBe(true);
    expect(ids.has("wide/Subscriptions/sub-129/$DeadLetterQueue")).toBe(true);
    const capped = queues.find((queue) => queue.id === "capped/$DeadLetterQueue")!;
    expect(capped).toMatchObject({
      name: "capped/$DeadLetterQueue",
      depth: 0,
      sources: [{ id: "capped", name: "capped" }],
      ordered: false,
      maxDeliveryCount: 2,
      details: { entityType: "queue", requiresSession: false, lockDuration: "PT5S", defaultMessageTimeToLive: "PT1H", subQueue: "deadLetter" },
    });
    expect(queues.find((queue) => queue.id === "sessions/$DeadLetterQueue")).toMatchObject({ ordered: true, details: { requiresSession: true } });
    expect(queues.find((queue) => queue.id === "wide/Subscriptions/sub-7/$DeadLetterQueue")?.sources).toEqual([
      { id: "wide/Subscriptions/sub-7", name: "wide/Subscriptions/sub-7" },
    ]);
    // No transfer DLQ while it is empty.
    expect(queues.some((queue) => queue.id.includes("$Transfer"))).toBe(false);
  });

  it("reports entity settings that the hygiene checks turn into findings", async () => {
    const settings = await f.adapter.listQueueSettings!();
    expect(settings.find((queue) => queue.id === "sessions")).toMatchObject({ role: "work", ordered: true, deadLetterTargets: [{ id: "sessions/$DeadLetterQueue" }] });
    expect(settings.find((queue) => queue.id === "sessions/$DeadLetterQueue")).toMatchObject({ role: "dlq", ordered: true });
    const findings = checkQueues("servicebus", settings).map((finding) => `${finding.queue.id}:${finding.code}`);
    // "capped" has a 1 h TTL and expired messages are dropped (dead-lettering on expiry is off).
    expect(findings).toEqual(["capped:expired-messages-dropped"]);
  });

  it("lists a non-empty transfer DLQ and browses it", async () => {
    const sender = f.client.createSender("broken-relay");
    await sender.sendMessages({ body: utf8("cannot forward"), messageId: "relay-1" });
    await sender.close();
    const queues = await f.adapter.listDeadLetterQueues();
    const transfer = queues.find((queue) => queue.id === "broken-relay/$Transfer/$DeadLetterQueue");
    expect(transfer).toMatchObject({ depth: 1, sources: [{ id: "broken-relay" }], details: { subQueue: "transferDeadLetter", forwardTo: "missing-target" } });
    const [message] = await browseAll(f.adapter, transfer!.id);
    expect(message).toMatchObject({ messageId: "relay-1", failure: { reason: "MessagingEntityNotFound" }, source: { id: "broken-relay" } });
    expect(Buffer.from(message!.body).toString()).toBe("cannot forward");
  });

  it("decodes delivery attempts against maxDeliveryCount, reasons, times and the history", async () => {
    const sender = f.client.createSender("capped");
    const sentAt = Date.now();
    await sender.sendMessages({
      body: utf8('{"id":1}'), messageId: "poison-1", contentType: "application/json", correlationId: "corr-1", subject: "order",
      applicationProperties: { tenant: "a", count: 5, flag: true, at: new Date("2026-01-02T03:04:05Z") },
    });
    await sender.close();
    const receiver = f.client.createReceiver("capped");
    for (let attempt = 0; attempt < 2; attempt++) {
      const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
      await receiver.abandonMessage(message!);
    }
    await receiver.close();
    const [dead] = await browseAll(f.adapter, "capped/$DeadLetterQueue");
    expect(dead).toMatchObject({
      messageId: "poison-1",
      contentType: "application/json",
      failure: { reason: "MaxDeliveryCountExceeded", description: expect.stringContaining("2 delivery attempts") },
      attempts: { count: 2, cap: 2 },
      properties: { tenant: "a", count: 5, flag: true, at: new Date("2026-01-02T03:04:05Z") },
      systemProperties: { correlationId: "corr-1", subject: "order", state: "active", deadLetterSource: "capped", amqpBody: "data" },
      partitionKey: null,
      deadLetteredAt: null,
    });
    expect(dead!.properties.DeadLetterReason).toBeUndefined();
    expect(dead!.enqueuedAt!.getTime()).toBeGreaterThanOrEqual(sentAt - 1000);
    expect(dead!.history.map((event) => event.kind)).toEqual(["enqueued", "delivered", "dead-lettered"]);
    expect(dead!.history.find((event) => event.kind === "dead-lettered")).toMatchObject({ queue: "capped", reason: "MaxDeliveryCountExceeded" });
    expect(await f.adapter.getMessage("capped/$DeadLetterQueue", dead!.id)).toMatchObject({ id: dead!.id, messageId: "poison-1" });
  });

  it("decodes expiry dead letters and session ids as the partition key", async () => {
    const sender = f.client.createSender("expiring");
    await sender.sendMessages({ body: utf8("late"), messageId: "late-1", sessionId: "s-9" });
    await sender.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [dead] = await browseAll(f.adapter, "expiring/$DeadLetterQueue");
    expect(dead).toMatchObject({ messageId: "late-1", failure: { reason: "TTLExpiredException" }, partitionKey: "s-9", systemProperties: { sessionId: "s-9" } });
  });

  it("refuses ids that are no DLQ path and cursors it did not make", async () => {
    await expect(f.adapter.browse("capped", { limit: 1 })).rejects.toMatchObject({ code: "not-found" });
    await expect(f.adapter.browse("capped/$DeadLetterQueue", { limit: 1, cursor: "abc" })).rejects.toMatchObject({ code: "invalid-request" });
    await expect(f.adapter.getMessage("nope/$DeadLetterQueue", "1")).rejects.toMatchObject({ code: "not-found" });
  });
});
