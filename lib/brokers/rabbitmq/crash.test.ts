// Rule 2 under a crash: the connection dies after the replay's publish is confirmed and before the
// DLQ copy is acked. The message must then be in both places or in the DLQ, never in neither.
import type { ChannelModel, ConfirmChannel } from "amqplib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "../testing/contract";
import { createRabbitFixture, type RabbitFixture } from "./test-fixture";

describe("rabbitmq replay when the connection dies between confirm and ack", () => {
  let fixture: RabbitFixture;
  let restore: (() => void) | null = null;
  beforeEach(async () => {
    fixture = await createRabbitFixture();
  });
  afterEach(async () => {
    restore?.();
    await fixture.cleanup();
  });

  it("leaves a duplicate, never a gap", async () => {
    await fixture.deadLetterRaw([{ content: Buffer.from("precious"), options: { messageId: "precious-1" } }]);
    // Every ChannelModel shares one prototype: make the adapter's confirm channels cut their
    // socket the moment the broker confirms a publish, before the adapter's ack can go out.
    const prototype = Object.getPrototypeOf(fixture.model) as ChannelModel;
    const original = prototype.createConfirmChannel;
    let cut = false;
    prototype.createConfirmChannel = async function (this: ChannelModel, ...args: Parameters<ChannelModel["createConfirmChannel"]>) {
      const channel: ConfirmChannel = await original.apply(this, args);
      channel.on("ack", () => {
        cut = true;
        (this.connection as unknown as { stream: { destroy(error: Error): void } }).stream.destroy(new Error("test: socket cut after confirm"));
      });
      return channel;
    };
    restore = () => {
      prototype.createConfirmChannel = original;
    };

    const outcome = await fixture.adapter
      .replay(fixture.dlq.id, [{ id: "precious-1", stamp: { operationId: "op-crash", operator: "test", replayCount: 1 } }])
      .then((outcomes) => outcomes[0]?.status, (error: unknown) => `threw: ${String(error)}`);
    restore();
    restore = null;
    expect(cut).toBe(true);

    const inSource = await eventually(() => fixture.depth(fixture.source.id), (depth) => expect(depth).toBe(1));
    const inDlq = await eventually(() => fixture.depth(fixture.dlq.id), (depth) => expect(depth).toBe(1));
    // Confirmed, so it is in the source; the ack never reached the broker, so the DLQ copy is back.
    expect({ outcome, inSource, inDlq }).toMatchObject({ inSource: 1, inDlq: 1 });
    expect(outcome).toBe("sent-not-removed"); // confirmed, but the adapter cannot claim the DLQ copy is gone
  });
});
