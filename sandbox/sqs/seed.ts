// The SQS sandbox: an in-process SQS emulator on loopback, seeded with a standard and a FIFO DLQ
// whose dead letters got there the way SQS puts them there (received past maxReceiveCount).
//
// Emulator: local-aws-sqs rather than fauxqs, because it (a) stamps DeadLetterQueueSourceArn on
// dead letters, so a DLQ with two sources shows where each message came from, (b) answers
// ListDeadLetterSourceQueues and the message-move APIs, (c) hands out up to 10 messages of a FIFO
// group per receive (fauxqs: one), so a FIFO DLQ browses better, (d) enforces one PurgeQueue per
// 60 s like AWS, and (e) accepts every character AWS accepts (fauxqs refuses emoji).
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type MessageAttributeValue,
} from "@aws-sdk/client-sqs";
import { createSqsServer } from "local-aws-sqs";

const REGION = "us-east-1";
/** The emulator checks no signature; these only have to be present. */
const SANDBOX_CREDENTIALS = { accessKeyId: "sandbox", secretAccessKey: "sandbox-not-a-secret" };

export interface SqsSandbox {
  broker: {
    name: string;
    kind: "sqs";
    environment: string;
    connection: { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  };
  stop(): Promise<void>;
}

interface Seed {
  readonly body: string;
  readonly attributes?: Record<string, MessageAttributeValue>;
  readonly groupId?: string;
}

const text = (value: string): MessageAttributeValue => ({ DataType: "String", StringValue: value });
const number = (value: number): MessageAttributeValue => ({ DataType: "Number", StringValue: String(value) });

/** The standard DLQ's dead letters: grouped failures with varying ids, poison JSON, odd bodies. */
function orderSeeds(): { source: "orders" | "orders-priority"; seed: Seed }[] {
  const validation = (orderId: string, sku: string) => ({
    source: "orders" as const,
    seed: {
      body: JSON.stringify({ orderId, customerId: "cus-311", items: [{ sku, quantity: 2 }], total: { amount: 59.8, currency: "EUR" } }),
      attributes: {
        ContentType: text("application/json"),
        "x-failure-reason": text(`ValidationError: unknown SKU ${sku} in order ${orderId}`),
        eventType: text("order.created"),
        schemaVersion: number(3),
      },
    },
  });
  const timeout = (orderId: string, millis: number) => ({
    source: "orders-priority" as const,
    seed: {
      body: JSON.stringify({ orderId, priority: "express", reserve: [{ sku: "SKU-1001", quantity: 1 }] }),
      attributes: {
        ContentType: text("application/json"),
        DeadLetterReason: text(`TimeoutError: inventory-service did not answer within ${millis} ms`),
        traceId: text(randomUUID()),
      },
    },
  });
  return [
    validation("ord-1042", "SKU-9001"),
    validation("ord-1043", "SKU-9017"),
    timeout("ord-2001", 5000),
    validation("ord-1047", "SKU-9023"),
    timeout("ord-2002", 5000),
    {
      source: "orders",
      // Poison JSON: the producer was cut off mid-write.
      seed: { body: '{"orderId": "ord-1050", "items": [{"sku": "SKU-1001", "quantity": ', attributes: { ContentType: text("application/json"), "x-failure-reason": text("SyntaxError: Unexpected end of JSON input") } },
    },
    timeout("ord-2003", 7500),
    {
      source: "orders",
      // A base64 body (SQS carries text only); shown as the text it is.
      seed: { body: Buffer.from("PK\u0003\u0004 zipped invoice bytes").toString("base64"), attributes: { ContentType: text("application/zip"), "content-transfer-encoding": text("base64"), ErrorMessage: text("invoice-renderer: unsupported archive") } },
    },
    {
      source: "orders",
      // No reason attribute: only the receive count says why it is here.
      seed: { body: "legacy order feed line: ORD|1061|SKU-1001|2|EUR", attributes: { ContentType: text("text/plain; charset=utf-8"), signature: { DataType: "Binary", BinaryValue: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) } } },
    },
    {
      source: "orders-priority",
      seed: { body: JSON.stringify({ orderId: "ord-2010", note: "Grüße — 日本語 🚚 <b>not html</b>" }), attributes: { ContentType: text("application/json"), "x-failure-reason": text("ValidationError: note exceeds 40 characters") } },
    },
  ];
}

/** The FIFO DLQ's dead letters: three customers' payment events, in order within each customer. */
function paymentSeeds(): Seed[] {
  const steps = ["payment.authorized", "payment.captured", "payment.refund-requested", "payment.refunded"];
  const customers = ["cus-017", "cus-042", "cus-099"];
  const seeds: Seed[] = [];
  steps.forEach((step, stepIndex) => {
    customers.forEach((customer, customerIndex) => {
      if (customerIndex === 2 && stepIndex > 1) return;
      seeds.push({
        groupId: customer,
        body: JSON.stringify({ event: step, customerId: customer, paymentId: `pay-${customerIndex + 1}00${stepIndex}`, amount: 120 + customerIndex * 5 }),
        attributes: {
          ContentType: text("application/json"),
          DeadLetterReason: text(stepIndex === 0 ? "LedgerUnavailable: ledger returned 503" : "OutOfOrder: previous event for this customer was not processed"),
        },
      });
    });
  });
  return seeds;
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>) {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Send a message to its source and receive it until SQS moves it to the DLQ. */
async function deadLetter(client: SQSClient, sourceUrl: string, seed: Seed): Promise<void> {
  await client.send(
    new SendMessageCommand({
      QueueUrl: sourceUrl,
      MessageBody: seed.body,
      MessageAttributes: seed.attributes,
      ...(seed.groupId ? { MessageGroupId: seed.groupId, MessageDeduplicationId: randomUUID() } : {}),
    }),
  );
  for (let receives = 0; receives < 20; receives++) {
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: sourceUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 1 }));
    const message = Messages?.[0];
    if (!message) return;
    // As if the consumer failed and gave the message back at once.
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: sourceUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
  }
  throw new Error(`the SQS sandbox could not dead-letter a message from ${sourceUrl}`);
}

/** Start the SQS emulator on 127.0.0.1 (`port` 0, the default, picks a free one) and seed it. */
export async function startSqsSandbox(options: { port?: number } = {}): Promise<SqsSandbox> {
  const server = await createSqsServer({ port: options.port ?? 0, hostname: "127.0.0.1", region: REGION });
  const stop = () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SQSClient({ region: REGION, endpoint, credentials: { ...SANDBOX_CREDENTIALS }, useQueueUrlAsEndpoint: false });
  try {
    const fourteenDays = String(14 * 24 * 3600);
    const ordersDlq = await createQueue(client, "orders-dlq", { MessageRetentionPeriod: fourteenDays });
    const sources = {
      orders: await createQueue(client, "orders", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: ordersDlq.arn, maxReceiveCount: 3 }) }),
      "orders-priority": await createQueue(client, "orders-priority", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: ordersDlq.arn, maxReceiveCount: 5 }) }),
    };
    const paymentsDlq = await createQueue(client, "payments-dlq.fifo", { FifoQueue: "true", MessageRetentionPeriod: fourteenDays });
    const payments = await createQueue(client, "payments.fifo", {
      FifoQueue: "true",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: paymentsDlq.arn, maxReceiveCount: 2 }),
    });
    // Deliberate mistakes for the hygiene page: a work queue with no DLQ at all, and one that
    // dead-letters at the first failed receive into a DLQ that keeps messages 1 day (source: 4).
    await createQueue(client, "notifications", {});
    const auditDlq = await createQueue(client, "audit-events-dlq", { MessageRetentionPeriod: String(24 * 3600) });
    await createQueue(client, "audit-events", {
      MessageRetentionPeriod: String(4 * 24 * 3600),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: auditDlq.arn, maxReceiveCount: 1 }),
    });

    for (const { source, seed } of orderSeeds()) await deadLetter(client, sources[source].url, seed);
    for (const seed of paymentSeeds()) await deadLetter(client, payments.url, seed);
  } catch (error) {
    client.destroy();
    await stop();
    throw error;
  }
  client.destroy();
  return {
    broker: {
      name: "sqs-sandbox",
      kind: "sqs",
      environment: "sandbox",
      connection: { region: REGION, endpoint, credentials: { ...SANDBOX_CREDENTIALS } },
    },
    stop,
  };
}

/** How many dead letters the sandbox seeds, by DLQ name (for its test). */
export const SANDBOX_DEAD_LETTERS = { "orders-dlq": orderSeeds().length, "payments-dlq.fifo": paymentSeeds().length } as const;
