// RabbitMQ adapter beyond the shared contract, on the real broker: bytes, replay, browse, remove, errors.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BrokerError } from "../errors";
import { ALL_BYTES, browseAll, eventually } from "../testing/contract";
import { createRabbitFixture, type RabbitFixture } from "./test-fixture";

const stamp = { operationId: "op-123", operator: "alice@example.com", replayCount: 1 };

describe("rabbitmq adapter on the real broker", () => {
  let fixture: RabbitFixture;
  beforeEach(async () => {
    fixture = await createRabbitFixture();
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  it("round-trips a binary body byte for byte and decodes x-death", async () => {
    await fixture.deadLetterRaw([{ content: Buffer.from(ALL_BYTES), options: { messageId: "bin-1", contentType: "application/octet-stream" } }]);
    const [message] = await browseAll(fixture.adapter, fixture.dlq.id);
    expect(Buffer.from(message!.body).equals(Buffer.from(ALL_BYTES))).toBe(true);
    expect(message!.failure.reason).toBe("rejected");
    expect(message!.source?.id).toBe(fixture.source.id);
    const death = message!.history.find((event) => event.kind === "dead-lettered");
    expect(death).toMatchObject({ queue: fixture.source.id, reason: "rejected", count: 1 });
    expect(message!.deadLetteredAt).toBeInstanceOf(Date);
  });

  it("gives a message without message id a content-hash id that getMessage finds", async () => {
    await fixture.deadLetterRaw([{ content: Buffer.from("no id here"), options: { headers: { tenant: "c" } } }]);
    const [message] = await browseAll(fixture.adapter, fixture.dlq.id);
    expect(message!.messageId).toBeNull();
    expect(message!.id).toMatch(/^sha256:[0-9a-f]{32}$/);
    const again = await fixture.adapter.getMessage(fixture.dlq.id, message!.id);
    expect(again?.id).toBe(message!.id); // stable across a requeue (redelivered flag changes)
  });

  it("replays into the original queue with the same message id and headers, then removes the DLQ copy", async () => {
    await fixture.deadLetterRaw([
      { content: Buffer.from('{"order":7}'), options: { messageId: "order-7", correlationId: "corr-7", contentType: "application/json", headers: { tenant: "a", "x-exception-message": "boom" } } },
    ]);
    const [outcome] = await fixture.adapter.replay(fixture.dlq.id, [{ id: "order-7", stamp }]);
    expect(outcome).toEqual({ id: "order-7", status: "moved", sentMessageId: "order-7" });
    expect(await fixture.depth(fixture.dlq.id)).toBe(0);
    const channel = await fixture.model.createChannel();
    const replayed = await channel.get(fixture.source.id, { noAck: true });
    await channel.close();
    expect(replayed).not.toBe(false);
    if (!replayed) return;
    expect(replayed.properties.messageId).toBe("order-7");
    expect(replayed.properties.correlationId).toBe("corr-7");
    expect(replayed.content.toString()).toBe('{"order":7}');
    expect(replayed.properties.headers).toMatchObject({
      tenant: "a",
      "x-exception-message": "boom",
      "dlq-console-operation-id": "op-123",
      "dlq-console-operator": "alice@example.com",
      "dlq-console-replay-count": 1,
    });
    expect(replayed.properties.headers?.["x-death"]).toBeUndefined();
  });

  it("browses 200 messages and leaves depth and order unchanged", async () => {
    const seeded = Array.from({ length: 200 }, (_, index) => ({ content: Buffer.from(`m${index}`), options: { messageId: `m-${index}` } }));
    await fixture.deadLetterRaw(seeded);
    const first = await browseAll(fixture.adapter, fixture.dlq.id, 80);
    expect(first.map((message) => message.messageId)).toEqual(seeded.map((message) => message.options.messageId));
    const second = await browseAll(fixture.adapter, fixture.dlq.id, 200);
    expect(second.map((message) => message.id)).toEqual(first.map((message) => message.id));
    // The queue process takes the requeue after the channel's close-ok: its ready count catches up.
    await eventually(() => fixture.depth(fixture.dlq.id), (depth) => expect(depth).toBe(200));
  });

  it("removes selected ids and leaves the others in order", async () => {
    await fixture.deadLetterRaw(["a", "b", "c", "d", "e"].map((id) => ({ content: Buffer.from(id), options: { messageId: id } })));
    const outcomes = await fixture.adapter.remove(fixture.dlq.id, ["b", "d", "zz"]);
    expect(outcomes).toEqual([
      { id: "b", status: "removed" },
      { id: "d", status: "removed" },
      { id: "zz", status: "not-found" },
    ]);
    expect((await browseAll(fixture.adapter, fixture.dlq.id)).map((message) => message.id)).toEqual(["a", "c", "e"]);
    expect(await fixture.adapter.purge(fixture.dlq.id)).toEqual({ removed: 3 });
    expect(await fixture.depth(fixture.dlq.id)).toBe(0);
  });

  it("fails an unroutable replay and keeps the message in the DLQ", async () => {
    await fixture.deadLetterRaw([{ content: Buffer.from("stay"), options: { messageId: "stay-1" } }]);
    const [outcome] = await fixture.adapter.replay(fixture.dlq.id, [{ id: "stay-1", stamp, destination: { id: fixture.dlx, routingKey: "nowhere" } }]);
    expect(outcome?.status).toBe("failed");
    expect(outcome && "error" in outcome ? outcome.error : "").toMatch(/not routed/);
    expect((await browseAll(fixture.adapter, fixture.dlq.id)).map((message) => message.id)).toEqual(["stay-1"]);
  });

  it("in one pipelined batch, moves the routable copies and keeps each unroutable one in the DLQ", async () => {
    const ids = Array.from({ length: 40 }, (_, n) => `mix-${n}`);
    await fixture.deadLetterBulk(ids.map((id) => ({ content: Buffer.from(`body ${id}`), options: { messageId: id, persistent: true } })));
    // Every third one goes nowhere: its return must be told apart from its neighbours' confirms.
    const nowhere = { id: fixture.dlx, routingKey: "nowhere" };
    const outcomes = await fixture.adapter.replay(
      fixture.dlq.id,
      ids.map((id, n) => ({ id, stamp, ...(n % 3 === 0 ? { destination: nowhere } : {}) })),
    );
    const expected = ids.map((id, n) => (n % 3 === 0 ? `${id}:failed` : `${id}:moved`));
    expect(outcomes.map((outcome) => `${outcome.id}:${outcome.status}`)).toEqual(expected);
    const kept = ids.filter((_, n) => n % 3 === 0);
    expect((await browseAll(fixture.adapter, fixture.dlq.id)).map((message) => message.id)).toEqual(kept);
    const channel = await fixture.model.createChannel();
    const landed: string[] = [];
    for (let message = await channel.get(fixture.source.id, { noAck: true }); message; message = await channel.get(fixture.source.id, { noAck: true })) {
      landed.push(`${String(message.properties.messageId)}=${message.content.toString()}`);
    }
    await channel.close();
    expect(landed).toEqual(ids.filter((_, n) => n % 3 !== 0).map((id) => `${id}=body ${id}`));
  });

  it("finds an id far past its first read window, reports a missing one, and leaves the rest in order", async () => {
    const ids = Array.from({ length: 60 }, (_, n) => `deep-${n}`);
    await fixture.deadLetterBulk(ids.map((id) => ({ content: Buffer.from(id), options: { messageId: id, persistent: true } })));
    // Two ids: the first read window is 2 messages, so reaching deep-57 takes windows of 2, 4, 8, 16, 32.
    const removed = await fixture.adapter.remove(fixture.dlq.id, ["deep-57", "no-such-id"]);
    expect(removed).toEqual([
      { id: "deep-57", status: "removed" },
      { id: "no-such-id", status: "not-found" },
    ]);
    const left = await browseAll(fixture.adapter, fixture.dlq.id, 100);
    expect(left.map((message) => message.id)).toEqual(ids.filter((id) => id !== "deep-57"));
  });

  it("streams a whole-DLQ scan across read windows in order, and requeues all of it, also when stopped early", async () => {
    const ids = Array.from({ length: 2_500 }, (_, n) => `scan-${n}`);
    await fixture.deadLetterBulk(ids.map((id) => ({ content: Buffer.from(id), options: { messageId: id, persistent: true } })));
    const seen: string[] = [];
    for await (const message of fixture.adapter.scan!(fixture.dlq.id)) seen.push(message.id);
    expect(seen).toEqual(ids);
    await eventually(() => fixture.depth(fixture.dlq.id), (depth) => expect(depth).toBe(2_500));
    let taken = 0;
    for await (const message of fixture.adapter.scan!(fixture.dlq.id)) {
      expect(message.id).toBe(ids[taken]);
      if (++taken === 1_200) break;
    }
    // A read right after sees the whole queue again, in order: the early stop requeued everything.
    const again: string[] = [];
    for await (const message of fixture.adapter.scan!(fixture.dlq.id)) again.push(message.id);
    expect(again).toEqual(ids);
  });

  it("replays to a chosen queue", async () => {
    await fixture.deadLetterRaw([{ content: Buffer.from("x"), options: { messageId: "to-queue" } }]);
    const channel = await fixture.model.createChannel();
    const { queue } = await channel.assertQueue("", { exclusive: true });
    const [outcome] = await fixture.adapter.replay(fixture.dlq.id, [{ id: "to-queue", stamp, destination: { id: queue } }]);
    expect(outcome?.status).toBe("moved");
    const landed = await channel.get(queue, { noAck: true });
    expect(landed && landed.properties.messageId).toBe("to-queue");
    await channel.close();
  });

  it("replays through the original exchange and routing keys when configured so, with an edited body", async () => {
    const viaExchange = await createRabbitFixture({ connection: { replayTarget: "original-exchange" } });
    try {
      await viaExchange.deadLetterRaw([{ content: Buffer.from("old"), options: { messageId: "edit-1", headers: { tenant: "a" } } }]);
      const [outcome] = await viaExchange.adapter.replay(viaExchange.dlq.id, [
        { id: "edit-1", stamp, body: new TextEncoder().encode("new"), properties: { tenant: "b" }, contentType: "text/plain" },
      ]);
      expect(outcome?.status).toBe("moved");
      const channel = await viaExchange.model.createChannel();
      const landed = await channel.get(viaExchange.source.id, { noAck: true });
      await channel.close();
      expect(landed && landed.content.toString()).toBe("new");
      expect(landed && landed.properties.contentType).toBe("text/plain");
      expect(landed && landed.properties.headers?.tenant).toBe("b");
    } finally {
      await viaExchange.cleanup();
    }
  });

  it("sends new messages with the stamp, and reports an unroutable send", async () => {
    const outcomes = await fixture.adapter.send({ id: fixture.source.id }, [
      { messageId: "restored-1", body: Uint8Array.from([0, 1, 2]), contentType: "application/octet-stream", properties: { at: new Date(1_700_000_000_000) }, partitionKey: null, stamp },
    ]);
    expect(outcomes).toEqual([{ index: 0, status: "sent", sentMessageId: "restored-1" }]);
    const channel = await fixture.model.createChannel();
    const landed = await channel.get(fixture.source.id, { noAck: true });
    await channel.close();
    expect(landed && [...landed.content]).toEqual([0, 1, 2]);
    expect(landed && landed.properties.headers?.["dlq-console-operation-id"]).toBe("op-123");
    const [unroutable] = await fixture.adapter.send({ id: fixture.dlx, routingKey: "nowhere" }, [
      { messageId: null, body: new Uint8Array(), contentType: null, properties: {}, partitionKey: null, stamp },
    ]);
    expect(unroutable?.status).toBe("failed");
  });

  it("discovers a DLQ that a policy (not a queue argument) routes to", async () => {
    const base = "http://127.0.0.1:15672/api";
    const auth = { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}`, "content-type": "application/json" };
    const policyName = `${fixture.dlq.id}-policy`;
    const channel = await fixture.model.createChannel();
    const policySource = `${fixture.dlq.id}.policy-source`;
    await channel.assertQueue(policySource, { durable: false });
    try {
      const definition = { "dead-letter-exchange": fixture.dlx, "dead-letter-routing-key": "failed" };
      const response = await fetch(`${base}/policies/%2F/${encodeURIComponent(policyName)}`, {
        method: "PUT",
        headers: auth,
        body: JSON.stringify({ pattern: `^${policySource.replace(/\./g, "\\.")}$`, definition, "apply-to": "queues", priority: 0 }),
      });
      expect(response.ok).toBe(true);
      await eventually(
        () => fixture.adapter.listDeadLetterQueues(),
        (queues) => expect(queues.find((queue) => queue.id === fixture.dlq.id)?.sources.map((source) => source.id)).toContain(policySource),
      );
    } finally {
      await fetch(`${base}/policies/%2F/${encodeURIComponent(policyName)}`, { method: "DELETE", headers: auth });
      await channel.deleteQueue(policySource);
      await channel.close();
    }
  });

  it("names the broker and queue for a purge of a missing queue", async () => {
    const error = await fixture.adapter.purge("dlqc-no-such-queue").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BrokerError);
    expect((error as BrokerError).code).toBe("not-found");
    expect((error as BrokerError).message).toContain("dlqc-no-such-queue");
  });
});
