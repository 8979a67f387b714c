// Test fixture on the real RabbitMQ: uniquely named source queue → DLX → DLQ, dead-lettered for real.
import { randomUUID } from "node:crypto";
import amqp from "amqplib";
import type { ChannelModel } from "amqplib";
import type { ContractFixture, SeedMessage } from "../testing/contract";
import { createRabbitmqAdapter } from "./index";
import type { RabbitmqOptions } from "./options";

export const TEST_URL = process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";

export interface RabbitFixture extends ContractFixture {
  readonly model: ChannelModel;
  readonly dlx: string;
  /** Dead-letter already-built AMQP messages: publish to the source and nack(requeue=false). */
  deadLetterRaw(messages: readonly { content: Buffer; options: amqp.Options.Publish }[]): Promise<void>;
  /** The same for many messages fast: publish all to the source, then reject them in one nack (order kept). */
  deadLetterBulk(messages: readonly { content: Buffer; options: amqp.Options.Publish }[]): Promise<void>;
  depth(queue: string): Promise<number>;
}

export async function createRabbitFixture(
  options: { queueType?: "classic" | "quorum"; quorumDeliveryLimit?: number; connection?: Partial<RabbitmqOptions> } = {},
): Promise<RabbitFixture> {
  const prefix = `dlqc-test-${randomUUID().slice(0, 8)}`;
  const source = `${prefix}.work`;
  const dlq = `${prefix}.dlq`;
  const dlx = `${prefix}.dlx`;
  const url = options.connection?.url ?? TEST_URL;
  const model = await amqp.connect(url);
  const setup = await model.createChannel();
  const typeArgs =
    options.queueType === "quorum"
      ? { "x-queue-type": "quorum", ...(options.quorumDeliveryLimit ? { "x-delivery-limit": options.quorumDeliveryLimit } : {}) }
      : {};
  await setup.assertExchange(dlx, "direct", { durable: false, autoDelete: false });
  await setup.assertQueue(dlq, { durable: true, arguments: typeArgs });
  await setup.bindQueue(dlq, dlx, "failed");
  await setup.assertQueue(source, { durable: true, arguments: { "x-dead-letter-exchange": dlx, "x-dead-letter-routing-key": "failed" } });
  await setup.close();
  const adapter = createRabbitmqAdapter({ name: `test-rabbit-${prefix}`, connection: { ...options.connection, url } as RabbitmqOptions });

  const depth = async (queue: string) => {
    const channel = await model.createChannel();
    const ok = await channel.checkQueue(queue);
    await channel.close();
    return ok.messageCount;
  };

  const deadLetterRaw: RabbitFixture["deadLetterRaw"] = async (messages) => {
    const channel = await model.createConfirmChannel();
    const start = await depth(dlq);
    for (const [index, { content, options: publish }] of messages.entries()) {
      await new Promise<void>((resolve, reject) =>
        channel.sendToQueue(source, content, publish, (error: unknown) => (error ? reject(new Error(String(error))) : resolve())),
      );
      // One at a time, so the DLQ keeps the seeding order.
      const message = await channel.get(source, { noAck: false });
      if (!message) throw new Error(`fixture: ${source} is empty after a confirmed publish`);
      channel.nack(message, false, false);
      const deadline = Date.now() + 5000;
      while ((await depth(dlq)) < start + index + 1) {
        if (Date.now() > deadline) throw new Error("fixture: dead letter did not arrive");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    await channel.close();
  };

  const deadLetterBulk: RabbitFixture["deadLetterBulk"] = async (messages) => {
    const channel = await model.createConfirmChannel();
    const start = await depth(dlq);
    for (const { content, options: publish } of messages) channel.sendToQueue(source, content, publish);
    await channel.waitForConfirms();
    // One consumer holding them all unacked, then one multiple-nack: rejected in order, no requeue.
    await channel.prefetch(messages.length);
    const last = await new Promise<amqp.Message>((resolve, reject) => {
      let received = 0;
      const timer = setTimeout(() => reject(new Error(`fixture: ${source} delivered ${received} of ${messages.length} messages`)), 30_000);
      void channel.consume(source, (message) => {
        if (message && ++received === messages.length) {
          clearTimeout(timer);
          resolve(message);
        }
      });
    });
    channel.nack(last, true, false);
    await channel.close();
    const deadline = Date.now() + 10_000;
    while ((await depth(dlq)) < start + messages.length) {
      if (Date.now() > deadline) throw new Error("fixture: dead letters did not arrive");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  return {
    adapter,
    model,
    deadLetterBulk,
    dlx,
    dlq: { id: dlq, name: dlq },
    source: { id: source, name: source },
    depth,
    deadLetterRaw,
    async deadLetter(messages: readonly SeedMessage[]) {
      await deadLetterRaw(
        messages.map((message) => ({
          content: Buffer.from(message.body),
          options: {
            messageId: message.messageId,
            persistent: true,
            ...(message.contentType ? { contentType: message.contentType } : {}),
            headers: { ...message.properties },
          },
        })),
      );
    },
    async cleanup() {
      await adapter.close();
      const channel = await model.createChannel();
      await channel.deleteQueue(source);
      await channel.deleteQueue(dlq);
      await channel.deleteExchange(dlx);
      await channel.close();
      await model.close();
    },
  };
}
