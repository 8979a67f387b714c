// Replays on the emulator, each checked through the SDK: what the source entity holds afterwards
// (bytes, ids, properties), what the DLQ still holds, and which subscriptions got a copy.
import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_BYTES, browseAll } from "../testing/contract";
import { REPLAY_PROPERTIES } from "./decode";
import { createServicebusAdapter } from "./index";
import { createServicebusFixture, type ServicebusFixture } from "./test-fixture";

const stamp = { operationId: "op-42", operator: "alice@example.com", replayCount: 1 };
const utf8 = (text: string) => Buffer.from(text, "utf8");
const bodyOf = (message: ServiceBusReceivedMessage) => Buffer.from(message.body as Uint8Array);

describe("servicebus replay on the emulator", () => {
  let f: ServicebusFixture;
  beforeAll(async () => {
    f = await createServicebusFixture({
      queues: [
        { name: "orders", maxDeliveryCount: 3 },
        { name: "kept" },
        { name: "parking" },
        { name: "payments", requiresSession: true, lockDurationMs: 5000 },
        { name: "deduped", requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindowMs: 3_600_000 },
      ],
      topics: [
        {
          name: "events",
          subscriptions: [
            { name: "billing", rules: [{ name: "invoices", filter: { type: "correlation", subject: "invoice" } }] },
            { name: "shipping", rules: [{ name: "shipments", filter: { type: "correlation", subject: "shipment" } }] },
          ],
        },
        { name: "broadcast", subscriptions: [{ name: "alpha" }, { name: "beta" }] },
        { name: "forwarded", subscriptions: [{ name: "relay" }, { name: "other" }] },
      ],
    });
  });
  afterAll(async () => f?.cleanup());

  it("moves a queue dead letter back with its ids and bytes, without the dead-letter reason, stamped", async () => {
    const json = utf8('{"order":7,"note":"héllo"}');
    await f.deadLetter("orders", "orders", [
      { body: json, messageId: "order-7", contentType: "application/json", correlationId: "corr-7", subject: "order.created", applicationProperties: { tenant: "a", attempt: 3 } },
      { body: Buffer.from(ALL_BYTES), messageId: "order-bin", contentType: "application/octet-stream" },
    ]);
    const dead = await browseAll(f.adapter, "orders/$DeadLetterQueue");
    expect(dead.map((message) => message.failure.reason)).toEqual(["ContractTest", "ContractTest"]);
    const outcomes = await f.adapter.replay("orders/$DeadLetterQueue", dead.map((message) => ({ id: message.id, stamp })));
    expect(outcomes).toEqual([
      { id: dead[0]!.id, status: "moved", sentMessageId: "order-7" },
      { id: dead[1]!.id, status: "moved", sentMessageId: "order-bin" },
    ]);
    expect(await f.peekAll("orders", "deadLetter")).toEqual([]);
    const [jsonCopy, binaryCopy] = await f.drain("orders");
    expect(bodyOf(jsonCopy!).equals(json)).toBe(true);
    expect(bodyOf(binaryCopy!).equals(Buffer.from(ALL_BYTES))).toBe(true);
    expect(jsonCopy!._rawAmqpMessage.bodyType).toBe("data");
    expect(jsonCopy).toMatchObject({ messageId: "order-7", correlationId: "corr-7", subject: "order.created", contentType: "application/json" });
    expect(jsonCopy!.applicationProperties).toEqual({
      tenant: "a", attempt: 3,
      [REPLAY_PROPERTIES.operationId]: "op-42", [REPLAY_PROPERTIES.operator]: "alice@example.com", [REPLAY_PROPERTIES.replayCount]: 1,
    });
    expect(jsonCopy!.deadLetterReason).toBeUndefined();
  });

  it("keeps an AMQP string value body as a string value, byte for byte", async () => {
    const text = "plain text body — 日本語 🚀";
    await f.deadLetter("orders", "orders", [{ body: text, messageId: "value-1" } as never]);
    // The SDK JSON-encodes a string into a data section; send a real amqp-value with the raw API instead.
    const sender = f.client.createSender("orders");
    await sender.sendMessages({ body: text, bodyType: "value", properties: { messageId: "value-2" } });
    await sender.close();
    const receiver = f.client.createReceiver("orders");
    const [received] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deadLetterMessage(received!, { deadLetterReason: "Poison", deadLetterErrorDescription: "unparseable" });
    await receiver.close();
    const dead = await browseAll(f.adapter, "orders/$DeadLetterQueue");
    const value = dead.find((message) => message.messageId === "value-2")!;
    expect(Buffer.from(value.body).toString("utf8")).toBe(text);
    expect(value.systemProperties.amqpBody).toBe("value-string");
    expect(dead.find((message) => message.messageId === "value-1")!.systemProperties.amqpBody).toBe("data");
    await f.adapter.replay("orders/$DeadLetterQueue", dead.map((message) => ({ id: message.id, stamp })));
    const copies = await f.drain("orders");
    const copy = copies.find((message) => message.messageId === "value-2")!;
    expect(copy._rawAmqpMessage.bodyType).toBe("value");
    expect(copy.body).toBe(text);
    expect(bodyOf(copies.find((message) => message.messageId === "value-1")!).equals(utf8(JSON.stringify(text)))).toBe(true);
  });

  it("replays a subscription dead letter to that subscription only, through its topic", async () => {
    await f.deadLetter("events", ["events", "billing"], [{ body: utf8("invoice 1"), messageId: "inv-1", subject: "invoice" }]);
    const [message] = await browseAll(f.adapter, "events/Subscriptions/billing/$DeadLetterQueue");
    expect(message!.source?.id).toBe("events/Subscriptions/billing");
    const route = await f.adapter.routeReplay!("events/Subscriptions/billing/$DeadLetterQueue", message!);
    expect(route.sendTo.id).toBe("events");
    expect(route.receivers.map((receiver) => receiver.id)).toEqual(["events/Subscriptions/billing"]);
    expect(route.blocked).toBeNull();
    const [outcome] = await f.adapter.replay("events/Subscriptions/billing/$DeadLetterQueue", [{ id: message!.id, stamp }]);
    expect(outcome).toMatchObject({ status: "moved", sentMessageId: "inv-1" });
    const billing = await f.drain(["events", "billing"]);
    expect(billing.map((copy) => [copy.messageId, bodyOf(copy).toString()])).toEqual([["inv-1", "invoice 1"]]);
    expect(await f.peekAll(["events", "shipping"])).toEqual([]);
    expect(await f.peekAll(["events", "billing"], "deadLetter")).toEqual([]);
  });

  it("refuses a topic replay that would fan out, unless the operator allowed it", async () => {
    await f.deadLetter("broadcast", ["broadcast", "alpha"], [{ body: utf8("hello all"), messageId: "wide-1" }]);
    await f.drain(["broadcast", "beta"]); // beta got its own copy of the original send
    const dlq = "broadcast/Subscriptions/alpha/$DeadLetterQueue";
    const [message] = await browseAll(f.adapter, dlq);
    const route = await f.adapter.routeReplay!(dlq, message!);
    expect(route.receivers.map((receiver) => receiver.id)).toEqual(["broadcast/Subscriptions/alpha", "broadcast/Subscriptions/beta"]);
    expect(route.blocked).toMatch(/broadcast\/Subscriptions\/beta.*allowFanOut/);
    const [refused] = await f.adapter.replay(dlq, [{ id: message!.id, stamp }]);
    expect(refused).toMatchObject({ status: "failed", error: expect.stringMatching(/^refused: .*fan-out/) });
    expect((await f.peekAll(["broadcast", "alpha"], "deadLetter")).map((m) => m.messageId)).toEqual(["wide-1"]);
    expect(await f.peekAll(["broadcast", "beta"])).toEqual([]);

    const allowed = await f.adapter.replay(dlq, [{ id: message!.id, stamp, destination: { id: "broadcast/Subscriptions/alpha", allowFanOut: true } }]);
    expect(allowed[0]).toMatchObject({ status: "moved" });
    expect((await f.drain(["broadcast", "alpha"])).map((m) => m.messageId)).toEqual(["wide-1"]);
    expect((await f.drain(["broadcast", "beta"])).map((m) => m.messageId)).toEqual(["wide-1"]);
  });

  it("replays a forwarding subscription's dead letter straight to its forwardTo queue", async () => {
    await f.deadLetter("forwarded", ["forwarded", "relay"], [{ body: utf8("to park"), messageId: "fwd-1" }]);
    await f.drain(["forwarded", "other"]);
    // The operator turned on auto-forwarding after the message was dead-lettered (the emulator's
    // admin API is read-only, so the setting is changed on the emulator itself).
    f.emulator.namespace.topics.get("forwarded")!.subscriptions.get("relay")!.store.settings.forwardTo = "parking";
    await new Promise((resolve) => setTimeout(resolve, 10));
    const dlq = "forwarded/Subscriptions/relay/$DeadLetterQueue";
    const [message] = await browseAll(f.adapter, dlq);
    // Entity settings are cached for a minute; a new adapter reads the changed subscription.
    const fresh = createServicebusAdapter({ name: "fresh", connection: { connectionString: f.emulator.connectionString } });
    try {
      const route = await fresh.routeReplay!(dlq, message!);
      expect(route).toMatchObject({ sendTo: { id: "parking" }, receivers: [{ id: "parking" }], blocked: null });
      const [outcome] = await fresh.replay(dlq, [{ id: message!.id, stamp }]);
      expect(outcome).toMatchObject({ status: "moved" });
    } finally {
      await fresh.close();
    }
    expect((await f.drain("parking")).map((m) => m.messageId)).toEqual(["fwd-1"]);
    expect(await f.peekAll(["forwarded", "other"])).toEqual([]);
  });

  it("keeps session ids and each session's order, whatever order the request lists them in", async () => {
    const sender = f.client.createSender("payments");
    const plan = [["s-a", "a1"], ["s-b", "b1"], ["s-a", "a2"], ["s-b", "b2"], ["s-a", "a3"]] as const;
    for (const [sessionId, id] of plan) await sender.sendMessages({ body: utf8(id), messageId: id, sessionId });
    await sender.close();
    for (const sessionId of ["s-a", "s-b"]) {
      const receiver = await f.client.acceptSession("payments", sessionId);
      const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 500 });
      for (const message of messages) await receiver.deadLetterMessage(message, { deadLetterReason: "PaymentDeclined", deadLetterErrorDescription: "card expired" });
      await receiver.close();
    }
    const dead = await browseAll(f.adapter, "payments/$DeadLetterQueue");
    expect(dead.map((message) => [message.messageId, message.partitionKey])).toEqual([
      ["a1", "s-a"], ["a2", "s-a"], ["a3", "s-a"], ["b1", "s-b"], ["b2", "s-b"],
    ]);
    const outcomes = await f.adapter.replay("payments/$DeadLetterQueue", [...dead].reverse().map((message) => ({ id: message.id, stamp })));
    expect(outcomes.every((outcome) => outcome.status === "moved")).toBe(true);
    const copies = await f.drain("payments", { sessions: true });
    const bySession = (sessionId: string) => copies.filter((copy) => copy.sessionId === sessionId).map((copy) => copy.messageId);
    expect(bySession("s-a")).toEqual(["a1", "a2", "a3"]);
    expect(bySession("s-b")).toEqual(["b1", "b2"]);
  });

  it("sends an edited copy and keeps the original when asked", async () => {
    await f.deadLetter("kept", "kept", [{ body: utf8('{"v":1}'), messageId: "edit-1", contentType: "application/json", applicationProperties: { tenant: "x" } }]);
    const [message] = await browseAll(f.adapter, "kept/$DeadLetterQueue");
    const [outcome] = await f.adapter.replay("kept/$DeadLetterQueue", [
      { id: message!.id, stamp, body: utf8('{"v":2}'), properties: { tenant: "y", fixed: true }, keepOriginal: true },
    ]);
    expect(outcome).toEqual({ id: message!.id, status: "sent-kept", sentMessageId: "edit-1" });
    const [copy] = await f.drain("kept");
    expect(bodyOf(copy!).toString()).toBe('{"v":2}');
    expect(copy!.applicationProperties).toMatchObject({ tenant: "y", fixed: true, [REPLAY_PROPERTIES.replayCount]: 1 });
    expect(copy!.applicationProperties?.DeadLetterReason).toBeUndefined();
    const still = await f.peekAll("kept", "deadLetter");
    expect(still.map((m) => [m.messageId, bodyOf(m).toString(), m.deadLetterReason])).toEqual([["edit-1", '{"v":1}', "ContractTest"]]);
  });

  it("refuses a replay that duplicate detection would silently drop, and says until when", async () => {
    await f.deadLetter("deduped", "deduped", [{ body: utf8("dedupe me"), messageId: "dup-1" }]);
    const [message] = await browseAll(f.adapter, "deduped/$DeadLetterQueue");
    const route = await f.adapter.routeReplay!("deduped/$DeadLetterQueue", message!);
    expect(route.blocked).toMatch(/duplicate detection .* Replay after \d{4}-/);
    const [outcome] = await f.adapter.replay("deduped/$DeadLetterQueue", [{ id: message!.id, stamp }]);
    expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(/^refused: .*duplicate detection/) });
    expect((await f.peekAll("deduped", "deadLetter")).map((m) => m.messageId)).toEqual(["dup-1"]);
    expect(await f.peekAll("deduped")).toEqual([]);
  });

  it("keeps a partition key without a session", async () => {
    await f.deadLetter("kept", "kept", [{ body: utf8("pk"), messageId: "pk-1", partitionKey: "tenant-7" }]);
    const dead = await browseAll(f.adapter, "kept/$DeadLetterQueue");
    const message = dead.find((candidate) => candidate.messageId === "pk-1")!;
    expect(message.partitionKey).toBe("tenant-7");
    expect(await f.adapter.replay("kept/$DeadLetterQueue", [{ id: message.id, stamp }])).toMatchObject([{ status: "moved" }]);
    const [copy] = await f.drain("kept");
    expect([copy!.messageId, copy!.partitionKey, copy!.sessionId]).toEqual(["pk-1", "tenant-7", undefined]);
  });

  it("sends archived messages to a queue, and refuses a topic send that would fan out", async () => {
    const outgoing = {
      messageId: "restored-1", body: Buffer.from(ALL_BYTES), contentType: "application/octet-stream",
      properties: { tenant: "z", DeadLetterReason: "old" }, partitionKey: null, stamp,
    };
    expect(await f.adapter.send({ id: "kept" }, [outgoing])).toEqual([{ index: 0, status: "sent", sentMessageId: "restored-1" }]);
    const [copy] = await f.drain("kept");
    expect(bodyOf(copy!).equals(Buffer.from(ALL_BYTES))).toBe(true);
    expect(copy!.applicationProperties).toEqual({
      tenant: "z", [REPLAY_PROPERTIES.operationId]: "op-42", [REPLAY_PROPERTIES.operator]: "alice@example.com", [REPLAY_PROPERTIES.replayCount]: 1,
    });
    expect(await f.adapter.send({ id: "broadcast" }, [outgoing])).toMatchObject([{ status: "failed", error: expect.stringMatching(/allowFanOut/) }]);
    expect(await f.peekAll(["broadcast", "alpha"])).toEqual([]);
    expect(await f.adapter.send({ id: "no-such-queue" }, [outgoing])).toMatchObject([{ status: "failed", error: expect.stringMatching(/no queue or topic/) }]);
  });

  it("answers not-found for ids that are not there and replays a repeated id once", async () => {
    await f.deadLetter("kept", "kept", [{ body: utf8("once"), messageId: "once-1" }]);
    const dead = await browseAll(f.adapter, "kept/$DeadLetterQueue");
    const target = dead.find((message) => message.messageId === "once-1")!;
    const outcomes = await f.adapter.replay("kept/$DeadLetterQueue", [
      { id: target.id, stamp }, { id: "999999", stamp }, { id: "not-a-number", stamp }, { id: target.id, stamp },
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["moved", "not-found", "not-found", "failed"]);
    expect((await f.drain("kept")).map((m) => m.messageId)).toEqual(["once-1"]);
  });
});

describe("servicebus replay when the DLQ lock lapses mid-move", () => {
  let f: ServicebusFixture;
  beforeAll(async () => {
    // A short lock (the DLQ inherits its entity's), and a namespace that stalls while it takes the
    // copy: the process is blocked for longer than the lock, as in a long GC pause or CPU stall.
    f = await createServicebusFixture({ queues: [{ name: "fragile", lockDurationMs: 400 }] });
    const namespace = f.emulator.namespace;
    const send = namespace.send.bind(namespace);
    namespace.send = (address, bytes, hops) => {
      if (address.toLowerCase() === "fragile") {
        const until = Date.now() + 700;
        while (Date.now() < until) {
          // busy: nothing else in this process runs, lock renewal included
        }
      }
      return send(address, bytes, hops);
    };
  });
  afterAll(async () => f?.cleanup());

  it("leaves the message in the DLQ and reports it sent-not-removed: a duplicate, never a gap", async () => {
    await f.deadLetter("fragile", "fragile", [{ body: utf8("slow"), messageId: "slow-1" }]);
    // The fixture's own send stalled too, before the message was dead-lettered; nothing is locked now.
    const [message] = await browseAll(f.adapter, "fragile/$DeadLetterQueue");
    const [outcome] = await f.adapter.replay("fragile/$DeadLetterQueue", [{ id: message!.id, stamp }]);
    expect(outcome).toMatchObject({ id: message!.id, status: "sent-not-removed", sentMessageId: "slow-1" });
    expect((outcome as { error: string }).error).toMatch(/MessageLockLost/);
    const still = await f.peekAll("fragile", "deadLetter");
    expect(still.map((m) => [m.messageId, bodyOf(m).toString()])).toEqual([["slow-1", "slow"]]);
    expect((await f.drain("fragile")).map((m) => [m.messageId, bodyOf(m).toString()])).toEqual([["slow-1", "slow"]]);
  });
});
