// Browsing a quorum DLQ spends deliveries; the adapter stops before the delivery limit would drop one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRabbitFixture, type RabbitFixture } from "./test-fixture";

describe("rabbitmq quorum DLQ delivery-limit guard", () => {
  let fixture: RabbitFixture;
  beforeAll(async () => {
    fixture = await createRabbitFixture({ queueType: "quorum", quorumDeliveryLimit: 3, connection: { deliveryLimitReserve: 2 } });
    await fixture.deadLetterRaw(["q-1", "q-2"].map((id) => ({ content: Buffer.from(id), options: { messageId: id } })));
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  it("browses while deliveries are left, then warns and stops without losing a message", async () => {
    const first = await fixture.adapter.browse(fixture.dlq.id, { limit: 10 });
    expect(first.messages.map((message) => message.messageId)).toEqual(["q-1", "q-2"]);
    expect(first.warnings).toEqual([]);
    const second = await fixture.adapter.browse(fixture.dlq.id, { limit: 10 });
    expect(second.messages.map((message) => message.messageId)).toEqual(["q-1"]);
    expect(second.nextCursor).toBeNull();
    expect(second.warnings.join(" ")).toMatch(/q-1 has 1 deliveries left before the quorum delivery limit \(3\)/);
    expect(await fixture.depth(fixture.dlq.id)).toBe(2);
  });

  it("re-enqueues a message with no deliveries left instead of letting the requeue drop it", async () => {
    const lone = await createRabbitFixture({ queueType: "quorum", quorumDeliveryLimit: 3, connection: { deliveryLimitReserve: 2 } });
    try {
      await lone.deadLetterRaw([{ content: Buffer.from("last"), options: { messageId: "q-last" } }]);
      // Spend its deliveries up to the limit behind the adapter's back: 3 returns leave none.
      const channel = await lone.model.createChannel();
      for (let spent = 0; spent < 3; spent++) {
        const message = await channel.get(lone.dlq.id, { noAck: false });
        if (!message) throw new Error("message vanished while spending deliveries");
        channel.nack(message, false, true);
      }
      await channel.close();
      const page = await lone.adapter.browse(lone.dlq.id, { limit: 10 });
      expect(page.warnings.join(" ")).toMatch(/q-last had used its 3 quorum deliveries; it was re-enqueued at the tail/);
      expect(await lone.depth(lone.dlq.id)).toBe(1);
      const [again] = (await lone.adapter.browse(lone.dlq.id, { limit: 10 })).messages;
      expect(again?.messageId).toBe("q-last");
    } finally {
      await lone.cleanup();
    }
  });
});
