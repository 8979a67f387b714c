// The Service Bus sandbox: the emulator on loopback with a queue, a session queue and a topic with
// two subscriptions, whose dead letters got there the way Service Bus puts them there — through
// the real SDK: abandoned past maxDeliveryCount, expired with dead-lettering on expiry, and
// dead-lettered by a consumer with a reason and description.
import { ServiceBusClient, type ServiceBusMessage, type ServiceBusReceiver } from "@azure/service-bus";
import type { EmulatorConfig } from "./config";
import { startEmulator } from "./emulator";

export interface ServiceBusSandbox {
  broker: { name: string; kind: "servicebus"; environment: string; connection: { connectionString: string } };
  /** The administration endpoint over plain HTTP: the same host and port as the AMQP endpoint. */
  adminUrl: string;
  stop(): Promise<void>;
}

export const SANDBOX_CONFIG: EmulatorConfig = {
  queues: [
    { name: "orders", maxDeliveryCount: 3, lockDurationMs: 30_000, deadLetteringOnMessageExpiration: true },
    { name: "payments", requiresSession: true, maxDeliveryCount: 5, lockDurationMs: 30_000 },
    // Deliberate mistakes for the hygiene page: expired notifications vanish (no dead-lettering on
    // expiry), and a poison shipment is retried 50 times before it is dead-lettered.
    { name: "notifications", defaultMessageTimeToLiveMs: 24 * 3_600_000, deadLetteringOnMessageExpiration: false },
    { name: "shipments", maxDeliveryCount: 50 },
  ],
  topics: [
    {
      name: "events",
      subscriptions: [
        { name: "billing", maxDeliveryCount: 4, rules: [{ name: "invoices", filter: { type: "correlation", subject: "invoice" } }] },
        { name: "audit", maxDeliveryCount: 10, deadLetteringOnMessageExpiration: true },
      ],
    },
  ],
};

const json = (body: unknown, extra: Partial<ServiceBusMessage> = {}): ServiceBusMessage => ({ body, contentType: "application/json", ...extra });

async function deadLetterAll(receiver: ServiceBusReceiver, count: number, why: (index: number) => { reason: string; description: string }) {
  let done = 0;
  while (done < count) {
    const messages = await receiver.receiveMessages(count - done, { maxWaitTimeInMs: 500 });
    if (!messages.length) throw new Error(`seed: expected ${count - done} more messages`);
    for (const message of messages) {
      const { reason, description } = why(done++);
      await receiver.deadLetterMessage(message, { deadLetterReason: reason, deadLetterErrorDescription: description });
    }
  }
}

/** Receives and abandons until the emulator moves the messages on (MaxDeliveryCountExceeded). */
async function exhaustDeliveries(receiver: ServiceBusReceiver, count: number, maxDeliveryCount: number) {
  for (let round = 0; round < maxDeliveryCount; round++) {
    let seen = 0;
    while (seen < count) {
      const messages = await receiver.receiveMessages(count - seen, { maxWaitTimeInMs: 500 });
      if (!messages.length) throw new Error("seed: messages vanished while exhausting deliveries");
      for (const message of messages) await receiver.abandonMessage(message);
      seen += messages.length;
    }
  }
}

async function seed(client: ServiceBusClient): Promise<void> {
  const orders = client.createSender("orders");
  // Validation failures: the same failure, descriptions differing only in ids and numbers.
  const skus = [["ord-10017", 4411], ["ord-10042", 4420], ["ord-10093", 5187], ["ord-10111", 4411]] as const;
  await orders.sendMessages(skus.map(([id, sku]) =>
    json({ orderId: id, customerId: "cus-311", items: [{ sku, quantity: 2 }] }, { messageId: id, subject: "order.created", applicationProperties: { schemaVersion: 3 } })));
  const ordersReceiver = client.createReceiver("orders");
  await deadLetterAll(ordersReceiver, skus.length, (i) => ({
    reason: "ValidationError",
    description: `Order ${skus[i]![0]} references unknown SKU ${skus[i]![1]} (line 1 of 1)`,
  }));
  // Poison text and binary bodies that kept failing: MaxDeliveryCountExceeded.
  await orders.sendMessages([
    { body: "{\"orderId\": \"ord-10200\", \"total\": ", contentType: "application/json", messageId: "ord-10200" },
    { body: "legacy-order|ord-10201|EUR|59.80", contentType: "text/plain", messageId: "ord-10201" },
    { body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]), contentType: "application/octet-stream", messageId: "ord-10202" },
  ]);
  await exhaustDeliveries(ordersReceiver, 3, 3);
  // Expired before anyone read them: TTLExpiredException (the queue dead-letters on expiry).
  await orders.sendMessages([1, 2].map((n) => json({ orderId: `ord-1030${n}`, reminder: true }, { timeToLive: 1, messageId: `ord-1030${n}` })));
  // One live message, so the source queue is not empty.
  await orders.sendMessages(json({ orderId: "ord-10400", customerId: "cus-018" }, { messageId: "ord-10400" }));

  const payments = client.createSender("payments");
  for (const customer of ["cus-017", "cus-042"]) {
    await payments.sendMessages([1, 2, 3].map((n) =>
      json({ paymentId: `pay-${customer}-${n}`, amount: n * 12.5, currency: "EUR" }, { sessionId: customer, messageId: `pay-${customer}-${n}` })));
    const session = await client.acceptSession("payments", customer);
    await deadLetterAll(session, 2, (i) => ({
      reason: "PaymentDeclined",
      description: `Card issuer declined payment pay-${customer}-${i + 1}: code 05 (do not honour)`,
    }));
    await session.close();
  }

  const events = client.createSender("events");
  await events.sendMessages([
    json({ invoiceId: "inv-7001", amount: 120 }, { subject: "invoice", messageId: "inv-7001" }),
    json({ invoiceId: "inv-7002", amount: 80 }, { subject: "invoice", messageId: "inv-7002" }),
    json({ userId: "u-9", action: "login" }, { subject: "user.login", messageId: "evt-1", timeToLive: 1 }),
  ]);
  const billing = client.createReceiver("events", "billing");
  await deadLetterAll(billing, 2, (i) => ({
    reason: "TaxServiceTimeout",
    description: `Timed out after ${[3000, 3004][i]} ms calling tax service for inv-700${i + 1}`,
  }));
  await Promise.all([orders.close(), ordersReceiver.close(), payments.close(), events.close(), billing.close()]);
}

export async function startServiceBusSandbox(options: { port?: number } = {}): Promise<ServiceBusSandbox> {
  const emulator = await startEmulator(SANDBOX_CONFIG, { port: options.port });
  const client = new ServiceBusClient(emulator.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 5000 } });
  try {
    await seed(client);
    // Let the TTL-expired messages pass their expiry and be swept into the DLQs.
    await new Promise((resolve) => setTimeout(resolve, 150));
    emulator.namespace.sweep();
  } catch (error) {
    await client.close();
    await emulator.stop();
    throw error;
  }
  await client.close();
  return {
    broker: {
      name: "servicebus-sandbox",
      kind: "servicebus",
      environment: "sandbox",
      connection: { connectionString: emulator.connectionString },
    },
    adminUrl: emulator.adminUrl,
    stop: () => emulator.stop(),
  };
}

/** What the sandbox seeds into each dead-letter queue (for its test). */
export const SANDBOX_DEAD_LETTERS = {
  "orders/$DeadLetterQueue": 9,
  "payments/$DeadLetterQueue": 4,
  "events/Subscriptions/billing/$DeadLetterQueue": 2,
  "events/Subscriptions/audit/$DeadLetterQueue": 1,
} as const;
