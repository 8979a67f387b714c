// Sandbox RabbitMQ: (re)creates a dedicated vhost on the local broker and seeds one DLQ fed by two
// source queues with realistic dead letters of each reason (rejected, expired, maxlen).
import amqp from "amqplib";
import type { ConfirmChannel } from "amqplib";

const DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672";
const DEFAULT_MANAGEMENT_URL = "http://127.0.0.1:15672";

export const SANDBOX_QUEUES = { dlq: "orders.dead-letter", orders: "orders.process", payments: "payments.capture", dlx: "sandbox.dlx" } as const;
/** Work queues with a dead-letter mistake each, for the hygiene page. */
export const SANDBOX_MISCONFIGURED = { noDeadLetter: "notifications.email", routesNowhere: "invoices.render" } as const;
/** How many dead letters the seed leaves in the DLQ. */
export const SANDBOX_DEAD_LETTERS = 30;

/** Three failure stories with varying ids, so grouping has something to do. */
const FAILURES = [
  (n: number) => `Order ${1040 + n} not found in catalog`,
  (n: number) => `Invalid currency 'XY${String.fromCharCode(65 + n)}' for order ${2000 + n}`,
  (n: number) => `Timeout calling inventory-service after ${3000 + n * 250}ms`,
];

async function management(base: string, auth: string, method: string, path: string, body?: unknown): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${base}/api/${path}`, {
      method,
      headers: { authorization: auth, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new Error(`RabbitMQ management API at ${base} is unreachable (enable it: rabbitmq-plugins enable rabbitmq_management): ${String(error)}`);
  }
  if (!response.ok && !(method === "DELETE" && response.status === 404)) {
    throw new Error(`RabbitMQ management API ${method} ${path} answered HTTP ${response.status}`);
  }
  return response;
}

async function publish(channel: ConfirmChannel, queue: string, content: Buffer, options: amqp.Options.Publish): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    channel.sendToQueue(queue, content, { persistent: true, timestamp: Math.floor(Date.now() / 1000), ...options }, (error: unknown) =>
      error ? reject(new Error(String(error))) : resolve(),
    ),
  );
}

/** Start (seed) the sandbox on the local RabbitMQ; stop() closes its connection and leaves the data. */
export async function startRabbitmqSandbox(options: { url?: string; managementUrl?: string; vhost?: string } = {}): Promise<{
  broker: { name: string; kind: "rabbitmq"; environment: string; connection: { url: string; managementUrl: string } };
  stop(): Promise<void>;
}> {
  const vhost = options.vhost ?? "dlq-sandbox";
  const baseUrl = new URL(options.url ?? DEFAULT_URL);
  const managementUrl = (options.managementUrl ?? DEFAULT_MANAGEMENT_URL).replace(/\/$/, "");
  const username = decodeURIComponent(baseUrl.username || "guest");
  const auth = `Basic ${Buffer.from(`${username}:${decodeURIComponent(baseUrl.password || "guest")}`).toString("base64")}`;
  const encodedVhost = encodeURIComponent(vhost);

  // Recreate the vhost so every start seeds the same state (idempotent across restarts).
  await management(managementUrl, auth, "DELETE", `vhosts/${encodedVhost}`);
  await management(managementUrl, auth, "PUT", `vhosts/${encodedVhost}`, { description: "dead-letter console sandbox" });
  await management(managementUrl, auth, "PUT", `permissions/${encodedVhost}/${encodeURIComponent(username)}`, { configure: ".*", write: ".*", read: ".*" });

  const url = new URL(baseUrl);
  url.pathname = `/${encodedVhost}`;
  const model = await amqp.connect(url.toString()).catch((error: unknown) => {
    throw new Error(`RabbitMQ at ${baseUrl.host} is unreachable: ${error instanceof Error ? error.message : String(error)}`);
  });
  try {
    const channel = await model.createConfirmChannel();
    const { dlq, orders, payments, dlx } = SANDBOX_QUEUES;
    await channel.assertExchange(dlx, "direct", { durable: true });
    await channel.assertQueue(dlq, { durable: true });
    await channel.bindQueue(dlq, dlx, "dead");
    const deadLetterTo = { "x-dead-letter-exchange": dlx, "x-dead-letter-routing-key": "dead" };
    await channel.assertQueue(orders, { durable: true, arguments: deadLetterTo });
    await channel.assertQueue(payments, { durable: true, arguments: { ...deadLetterTo, "x-max-length": 3 } });
    // Deliberate mistakes for the hygiene page: a work queue with no dead-letter path, and one
    // whose dead-letter routing key no queue is bound to (its dead letters are dropped).
    await channel.assertQueue(SANDBOX_MISCONFIGURED.noDeadLetter, { durable: true });
    await channel.assertQueue(SANDBOX_MISCONFIGURED.routesNowhere, { durable: true, arguments: { "x-dead-letter-exchange": dlx, "x-dead-letter-routing-key": "invoices-dead" } });

    // 14 rejected orders: poison JSON, three failure stories; one binary payload among them.
    for (let n = 0; n < 14; n++) {
      const failure = FAILURES[n % FAILURES.length]!(n);
      const binary = n === 7;
      const content = binary
        ? Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x10, n])
        : Buffer.from(n % 5 === 4 ? `{"orderId": ${1040 + n}, "items": [` : JSON.stringify({ orderId: 1040 + n, currency: n % 3 === 1 ? `XY${String.fromCharCode(65 + n)}` : "EUR", items: [{ sku: `SKU-${n}`, qty: n + 1 }] }));
      await publish(channel, orders, content, {
        messageId: `order-${1040 + n}`,
        correlationId: `checkout-${9000 + n}`,
        contentType: binary ? "application/octet-stream" : "application/json",
        type: "OrderPlaced",
        appId: "checkout-service",
        headers: { "x-exception-message": failure, "x-exception-type": n % 3 === 2 ? "TimeoutError" : "ValidationError", tenant: n % 2 ? "acme" : "globex" },
      });
      const message = await channel.get(orders, { noAck: false });
      if (!message) throw new Error(`sandbox: ${orders} lost a message it just confirmed`);
      channel.nack(message, false, false);
    }
    // 8 expired orders: a per-message TTL that runs out in the source queue.
    for (let n = 0; n < 8; n++) {
      await publish(channel, orders, Buffer.from(JSON.stringify({ orderId: 3000 + n, reminder: "payment-due" })), {
        messageId: `reminder-${3000 + n}`,
        contentType: "application/json",
        expiration: "50",
        headers: { tenant: "acme" },
      });
    }
    // 11 payments into a queue capped at 3: the broker drops the 8 oldest from the head (maxlen).
    for (let n = 0; n < 11; n++) {
      await publish(channel, payments, Buffer.from(JSON.stringify({ paymentId: `pay-${5000 + n}`, amount: 10 + n })), {
        messageId: `payment-${5000 + n}`,
        contentType: "application/json",
        headers: { tenant: "globex" },
      });
    }
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { messageCount } = await channel.checkQueue(dlq);
      if (messageCount >= SANDBOX_DEAD_LETTERS) break;
      if (Date.now() > deadline) throw new Error(`sandbox: ${dlq} holds ${messageCount} of ${SANDBOX_DEAD_LETTERS} dead letters after 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await channel.close();
  } catch (error) {
    await model.close().catch(() => undefined);
    throw error;
  }
  await model.close();

  return {
    broker: { name: "sandbox-rabbitmq", kind: "rabbitmq", environment: "sandbox", connection: { url: url.toString(), managementUrl } },
    async stop() {
      // Nothing stays open between calls; the vhost is kept so the console can show it until the next start.
    },
  };
}
