// In-process SQS emulators for tests, and fixtures that dead-letter messages the way SQS does:
// by receiving them from the source queue past its maxReceiveCount.
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
// fauxqs's body check, reached by file because its package exports only the server.
import { INVALID_MESSAGE_BODY_CHAR } from "../../../../node_modules/fauxqs/dist/sqs/sqsTypes.js";
import { createSqsServer } from "local-aws-sqs";
import type { SeedMessage } from "../../testing/contract";
import { ORIGINAL_ID_ATTRIBUTE } from "../decode";
import { createSqsAdapter, type SqsAdapter } from "../index";

export type EmulatorName = "local-aws-sqs" | "fauxqs";

export interface RunningEmulator {
  readonly name: EmulatorName;
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Fresh each time: the SDK writes onto the credentials object it is given. */
export const testCredentials = () => ({ accessKeyId: "test", secretAccessKey: "test" });

/**
 * fauxqs 1.9 checks bodies with a regex lacking the `u` flag, so it refuses every character past
 * U+FFFF (emoji), which AWS accepts (#x10000 to #x10FFFF). This puts AWS's documented rule in its
 * place; every other check of the emulator stays as it is.
 */
function allowAstralCharactersInFauxqs(): void {
  const awsInvalidBodyChar = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
  INVALID_MESSAGE_BODY_CHAR.test = (body: string) => awsInvalidBodyChar.test(body);
}

/** Start one emulator on a free loopback port. */
export async function startEmulator(name: EmulatorName): Promise<RunningEmulator> {
  if (name === "fauxqs") {
    allowAstralCharactersInFauxqs();
    const server = await startFauxqs({ port: 0, logger: false });
    return { name, endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
  }
  const server = await createSqsServer({ port: 0, hostname: "127.0.0.1" });
  const { port } = server.address() as AddressInfo;
  return {
    name,
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export function testClient(endpoint: string): SQSClient {
  return new SQSClient({ region: "us-east-1", endpoint, credentials: testCredentials(), useQueueUrlAsEndpoint: false });
}

export interface RedrivePair {
  readonly prefix: string;
  readonly dlq: { name: string; url: string; arn: string };
  readonly source: { name: string; url: string; arn: string };
}

/** Create a uniquely named DLQ and a source queue whose RedrivePolicy points at it. */
export async function createRedrivePair(
  client: SQSClient,
  options: { label: string; fifo?: boolean; maxReceiveCount?: number; prefix?: string },
): Promise<RedrivePair> {
  const prefix = options.prefix ?? `${options.label}-${randomUUID().slice(0, 8)}`;
  const suffix = options.fifo ? ".fifo" : "";
  const fifoAttributes: Record<string, string> = options.fifo ? { FifoQueue: "true" } : {};
  const create = async (name: string, attributes: Record<string, string>) => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    return { name, url: QueueUrl!, arn: Attributes!.QueueArn! };
  };
  const dlq = await create(`${prefix}-dlq${suffix}`, { ...fifoAttributes, MessageRetentionPeriod: "1209600" });
  const source = await create(`${prefix}-src${suffix}`, {
    ...fifoAttributes,
    MessageRetentionPeriod: "345600",
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: options.maxReceiveCount ?? 1 }),
  });
  return { prefix, dlq, source };
}

export interface DeadLetterSeed {
  readonly body: string;
  readonly attributes?: Record<string, MessageAttributeValue>;
  readonly groupId?: string;
}

/**
 * Send each message to the source and receive it until SQS moves it to the DLQ (the receive after
 * maxReceiveCount), one at a time so the DLQ keeps the given order and sent times differ.
 */
export async function deadLetterThroughSource(
  client: SQSClient,
  pair: RedrivePair,
  seeds: readonly DeadLetterSeed[],
  /** Long-poll seconds per receive: 0 on the emulators; real SQS samples servers, and a short poll can miss the message. */
  waitSeconds = 0,
): Promise<string[]> {
  const messageIds: string[] = [];
  for (const seed of seeds) {
    const sentAt = Date.now();
    const { MessageId } = await client.send(
      new SendMessageCommand({
        QueueUrl: pair.source.url,
        MessageBody: seed.body,
        MessageAttributes: seed.attributes,
        ...(seed.groupId ? { MessageGroupId: seed.groupId, MessageDeduplicationId: randomUUID() } : {}),
      }),
    );
    for (let receives = 0; receives < 20; receives++) {
      const { Messages } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: pair.source.url, MaxNumberOfMessages: 1, VisibilityTimeout: 1, WaitTimeSeconds: waitSeconds }),
      );
      const message = Messages?.[0];
      if (!message) break;
      // Make it visible again at once so the next receive counts past maxReceiveCount.
      await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: pair.source.url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
    }
    // SentTimestamp has millisecond resolution: keep consecutive seeds apart.
    while (Date.now() <= sentAt + 1) await new Promise((resolve) => setTimeout(resolve, 1));
    messageIds.push(MessageId!);
  }
  // SQS keeps a message's MessageId when it moves it to the DLQ.
  return messageIds;
}

/** A contract seed as SQS message attributes: its id, content type and properties. */
export function seedAttributes(seed: SeedMessage): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    [ORIGINAL_ID_ATTRIBUTE]: { DataType: "String", StringValue: seed.messageId },
  };
  if (seed.contentType) attributes.ContentType = { DataType: "String", StringValue: seed.contentType };
  for (const [name, value] of Object.entries(seed.properties ?? {})) attributes[name] = { DataType: "String", StringValue: value };
  return attributes;
}

/** An adapter pointed at an emulator, listing only the queues under `prefix`. */
export function emulatorAdapter(emulator: RunningEmulator, prefix: string): SqsAdapter {
  return createSqsAdapter({
    name: `sqs-${emulator.name}`,
    connection: { region: "us-east-1", endpoint: emulator.endpoint, credentials: testCredentials(), queueNamePrefix: prefix },
  });
}

export async function deleteQueues(client: SQSClient, urls: readonly string[]): Promise<void> {
  await Promise.all(urls.map((url) => client.send(new DeleteQueueCommand({ QueueUrl: url }))));
}

/** Receive and delete everything a queue hands out, in the order it hands it out. */
export async function drain(client: SQSClient, queueUrl: string): Promise<Message[]> {
  const drained: Message[] = [];
  for (let emptyPolls = 0; emptyPolls < 2; ) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        WaitTimeSeconds: emptyPolls > 0 ? 1 : 0,
        AttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) {
      emptyPolls++;
      continue;
    }
    emptyPolls = 0;
    drained.push(...Messages);
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  return drained;
}
