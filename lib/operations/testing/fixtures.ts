// Broker fixtures for the operations tests: a fresh DLQ + source on a real broker (RabbitMQ) or an
// emulator (SQS), seeded through the broker's own dead-lettering, with a native read of the source
// queue so tests check the broker itself, not the console's view of it. Adding a broker (Service
// Bus) is one more entry in OPERATION_BROKERS.
import type { ContractFixture, SeedMessage } from "@/lib/brokers/testing/contract";
import { createRabbitFixture } from "@/lib/brokers/rabbitmq/test-fixture";
import { REPLAY_HEADERS } from "@/lib/brokers/rabbitmq/replay";
import { ORIGINAL_ID_ATTRIBUTE, REPLAY_ATTRIBUTE } from "@/lib/brokers/sqs/decode";
import { createSqsAdapter } from "@/lib/brokers/sqs/index";
import type { SqsOptions } from "@/lib/brokers/sqs/options";
import {
  createRedrivePair,
  deadLetterThroughSource,
  deleteQueues,
  drain,
  seedAttributes,
  startEmulator,
  testClient,
  testCredentials,
  type RunningEmulator,
} from "@/lib/brokers/sqs/testing/emulators";

/** A message as the broker itself holds it in the source queue. */
export interface BrokerCopy {
  /** The id consumers dedupe on: AMQP message-id, SQS dlc.original-message-id. */
  readonly originalId: string | null;
  readonly body: Buffer;
  readonly contentType: string | null;
  /** Application properties / headers / attributes as strings. */
  readonly properties: Readonly<Record<string, string>>;
  /** The operation id the console stamped on the copy, or null. */
  readonly operationId: string | null;
}

export interface OperationsFixture extends Omit<ContractFixture, "deadLetter"> {
  /** Dead-letter the messages through the broker; returns their DeadLetter ids in order. */
  seed(messages: readonly SeedMessage[]): Promise<string[]>;
  /** Receive and remove everything in the source queue, natively. */
  drainSource(): Promise<BrokerCopy[]>;
  /** Connection settings a child process needs to build the same adapter. */
  readonly childConfig: { kind: "rabbitmq" | "sqs"; name: string; connection: Record<string, unknown> };
}

export interface OperationsBroker {
  readonly name: string;
  /** Start what the broker needs once per test file (an emulator); returns a fixture factory. */
  start(): Promise<{ create(options?: { connection?: Record<string, unknown> }): Promise<OperationsFixture>; stop(): Promise<void> }>;
}

const asText = (value: unknown): string => (Buffer.isBuffer(value) ? value.toString("utf8") : String(value));

const rabbitmq: OperationsBroker = {
  name: "rabbitmq",
  async start() {
    return {
      async create() {
        const fixture = await createRabbitFixture();
        return {
          adapter: fixture.adapter,
          dlq: fixture.dlq,
          source: fixture.source,
          cleanup: () => fixture.cleanup(),
          childConfig: { kind: "rabbitmq", name: fixture.adapter.name, connection: { url: process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672" } },
          async seed(messages) {
            await fixture.deadLetter(messages);
            return messages.map((message) => message.messageId);
          },
          async drainSource() {
            const channel = await fixture.model.createChannel();
            const copies: BrokerCopy[] = [];
            for (;;) {
              const message = await channel.get(fixture.source.id, { noAck: true });
              if (!message) break;
              const headers = message.properties.headers ?? {};
              copies.push({
                originalId: message.properties.messageId ?? null,
                body: message.content,
                contentType: message.properties.contentType ?? null,
                properties: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, asText(value)])),
                operationId: headers[REPLAY_HEADERS.operationId] === undefined ? null : asText(headers[REPLAY_HEADERS.operationId]),
              });
            }
            await channel.close();
            return copies;
          },
        };
      },
      stop: async () => undefined,
    };
  },
};

const sqs: OperationsBroker = {
  name: "sqs (fauxqs)",
  async start() {
    const emulator: RunningEmulator = await startEmulator("fauxqs");
    const client = testClient(emulator.endpoint);
    return {
      async create(options = {}) {
        const pair = await createRedrivePair(client, { label: "ops" });
        const connection = { region: "us-east-1", endpoint: emulator.endpoint, credentials: testCredentials(), queueNamePrefix: pair.prefix, ...options.connection };
        const adapter = createSqsAdapter({ name: `sqs-ops-${pair.prefix}`, connection: connection as SqsOptions });
        return {
          adapter,
          dlq: { id: pair.dlq.name, name: pair.dlq.name },
          source: { id: pair.source.name, name: pair.source.name },
          childConfig: { kind: "sqs", name: adapter.name, connection },
          seed: (messages) =>
            deadLetterThroughSource(
              client,
              pair,
              messages.map((message) => ({ body: Buffer.from(message.body).toString("utf8"), attributes: seedAttributes(message), groupId: message.partitionKey })),
            ),
          async drainSource() {
            return (await drain(client, pair.source.url)).map((message) => {
              const attributes = message.MessageAttributes ?? {};
              const replay = attributes[REPLAY_ATTRIBUTE]?.StringValue;
              return {
                originalId: attributes[ORIGINAL_ID_ATTRIBUTE]?.StringValue ?? null,
                body: Buffer.from(message.Body ?? "", "utf8"),
                contentType: attributes.ContentType?.StringValue ?? null,
                properties: Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, value.StringValue ?? ""])),
                operationId: replay ? ((JSON.parse(replay) as { operationId?: string }).operationId ?? null) : null,
              };
            });
          },
          async cleanup() {
            await adapter.close();
            await deleteQueues(client, [pair.source.url, pair.dlq.url]);
          },
        };
      },
      async stop() {
        client.destroy();
        await emulator.stop();
      },
    };
  },
};

/** Every broker the operations tests run on. Service Bus: add its fixture here when its adapter lands. */
export const OPERATION_BROKERS: readonly OperationsBroker[] = [rabbitmq, sqs];
