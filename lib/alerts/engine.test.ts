// Alerts end to end on a real RabbitMQ DLQ and Postgres, delivered over HTTP to a webhook receiver
// running in the test: a rule fires once when its DLQ crosses the threshold, stays quiet while the
// depth hovers, resolves once when it is cleared, and a receiver that fails is retried with backoff.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { createTestDatabase, type TestDatabase } from "@/lib/db/test-database";
import { deliverAlerts, evaluateAlerts, MAX_DELIVERY_ATTEMPTS } from "./engine";

const MANAGEMENT = "http://127.0.0.1:15672/api";
const AUTH = { Authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}`, "content-type": "application/json" };
const VHOST = `dlqc-alerts-${randomUUID().slice(0, 8)}`;
const vhost = encodeURIComponent(VHOST);

async function management(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${MANAGEMENT}/${path}`, { method, headers: AUTH, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

/** Dead-letter `count` messages into orders.dlq through orders (rejected without requeue). */
async function deadLetter(count: number): Promise<void> {
  for (let n = 0; n < count; n++) {
    await management("POST", `exchanges/${vhost}/amq.default/publish`, { properties: {}, routing_key: "orders", payload: `order ${n}`, payload_encoding: "string" });
  }
  await management("POST", `queues/${vhost}/orders/get`, { count, ackmode: "reject_requeue_false", encoding: "auto" });
}

describe("alerts", () => {
  let database: TestDatabase;
  let receiver: Server;
  let webhook: string;
  const received: { path: string; body: Record<string, unknown> }[] = [];
  let failNext = 0;

  beforeAll(async () => {
    await management("PUT", `vhosts/${vhost}`);
    await management("PUT", `permissions/${vhost}/guest`, { configure: ".*", write: ".*", read: ".*" });
    await management("PUT", `exchanges/${vhost}/dlx`, { type: "fanout", durable: true });
    await management("PUT", `queues/${vhost}/orders.dlq`, { durable: true });
    await management("POST", `bindings/${vhost}/e/dlx/q/orders.dlq`, {});
    await management("PUT", `queues/${vhost}/orders`, { durable: true, arguments: { "x-dead-letter-exchange": "dlx" } });

    receiver = createServer((request: IncomingMessage, response) => {
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      request.on("end", () => {
        if (failNext > 0) {
          failNext--;
          response.writeHead(503).end();
          return;
        }
        received.push({ path: request.url ?? "", body: JSON.parse(text) as Record<string, unknown> });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    database = await createTestDatabase("alerts");
    await migrateDatabase(database.url);
    process.env.DATABASE_URL = database.url;
    process.env.PUBLIC_URL = "http://localhost:3000";
    process.env.BROKERS = JSON.stringify({ brokers: [{ name: "rabbit-alerts", kind: "rabbitmq", connection: { url: `amqp://guest:guest@127.0.0.1:5672/${vhost}` } }] });
    const base = { broker: "rabbit-*", queue: "orders.*", metric: "depth", windowMinutes: 60, webhookUrl: webhook, createdBy: "admin@console.local" };
    await db().alertRule.createMany({
      data: [
        { ...base, id: "deep", name: "orders DLQ deep", threshold: 5, resolveBelow: 2, format: "generic" },
        { ...base, id: "elsewhere", name: "other broker", broker: "sqs-*", threshold: 0, resolveBelow: 0, format: "slack" },
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await db().$disconnect();
    await database?.drop();
    receiver?.close();
    await management("DELETE", `vhosts/${vhost}`);
  });

  it("fires once when crossed, not again while above, and resolves once when cleared", async () => {
    await deadLetter(4);
    await evaluateAlerts();
    expect(await db().alertDelivery.count()).toBe(0);

    await deadLetter(3); // 7 > 5
    expect(await evaluateAlerts()).toEqual({ evaluated: 1, transitions: 1 });
    await evaluateAlerts();
    await deadLetter(1);
    await evaluateAlerts();
    expect(await deliverAlerts()).toEqual({ delivered: 1, failed: 0 });
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe("/hook");
    expect(received[0]!.body).toMatchObject({ event: "fired", broker: "rabbit-alerts", queue: "orders.dlq", value: 7, link: "http://localhost:3000/queues/rabbit-alerts/orders.dlq" });

    // Down to 3: between resolveBelow (2) and the threshold: still firing, nothing sent.
    await management("DELETE", `queues/${vhost}/orders.dlq/contents`);
    await deadLetter(3);
    await evaluateAlerts();
    await deliverAlerts();
    expect(received).toHaveLength(1);

    await management("DELETE", `queues/${vhost}/orders.dlq/contents`);
    expect(await evaluateAlerts()).toEqual({ evaluated: 1, transitions: 1 });
    await evaluateAlerts();
    await deliverAlerts();
    expect(received.map((entry) => entry.body.event)).toEqual(["fired", "resolved"]);
    expect(await db().alertState.findUnique({ where: { ruleId_broker_queueId: { ruleId: "deep", broker: "rabbit-alerts", queueId: "orders.dlq" } } })).toMatchObject({ firing: false, lastValue: 0 });
  }, 60_000);

  it("retries a failing receiver with growing delays and keeps the error visible", async () => {
    failNext = 2;
    await deadLetter(6);
    await evaluateAlerts();
    const start = new Date();
    expect(await deliverAlerts(start)).toEqual({ delivered: 0, failed: 0 });
    const first = await db().alertDelivery.findFirstOrThrow({ where: { status: "pending" } });
    expect(first).toMatchObject({ attempts: 1, lastError: "HTTP 503" });
    const firstDelay = first.nextAttemptAt.getTime() - start.getTime();
    expect(firstDelay).toBeGreaterThanOrEqual(5_000);
    // Not due yet: nothing is sent.
    expect(await deliverAlerts(new Date(start.getTime() + 1_000))).toEqual({ delivered: 0, failed: 0 });
    const later = new Date(first.nextAttemptAt.getTime() + 1);
    await deliverAlerts(later);
    const second = await db().alertDelivery.findFirstOrThrow({ where: { id: first.id } });
    expect(second.attempts).toBe(2);
    expect(second.nextAttemptAt.getTime() - later.getTime()).toBeGreaterThanOrEqual(10_000);
    await deliverAlerts(new Date(second.nextAttemptAt.getTime() + 1));
    expect(await db().alertDelivery.findFirstOrThrow({ where: { id: first.id } })).toMatchObject({ status: "delivered", attempts: 3 });
    expect(received.at(-1)!.body).toMatchObject({ event: "fired", value: 6 });
  }, 60_000);

  it("gives up after the last attempt and marks the delivery failed", async () => {
    const delivery = await db().alertDelivery.create({ data: { ruleId: "deep", broker: "rabbit-alerts", queueId: "orders.dlq", event: "fired", value: 9, attempts: MAX_DELIVERY_ATTEMPTS - 1 } });
    failNext = 1;
    expect(await deliverAlerts()).toEqual({ delivered: 0, failed: 1 });
    expect(await db().alertDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ status: "failed", lastError: "HTTP 503" });
  });
});
