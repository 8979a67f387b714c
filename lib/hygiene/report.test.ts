// The hygiene report over configured brokers (a real RabbitMQ vhost with deliberate mistakes) and
// a real Postgres: findings per broker, a broker that is down reported as down, and mutes that are
// kept, shown and audited.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { createTestDatabase, type TestDatabase } from "@/lib/db/test-database";
import { hygieneReport, muteFinding, unmuteFinding } from "./report";

const MANAGEMENT = "http://127.0.0.1:15672/api";
const AUTH = { Authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}`, "content-type": "application/json" };
const VHOST = `dlqc-hygiene-${randomUUID().slice(0, 8)}`;
const actor: Actor = { id: "reviewer@example.com", role: "admin", ip: "10.0.0.7", userAgent: "vitest" };

async function management(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${MANAGEMENT}/${path}`, { method, headers: AUTH, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

describe("hygiene report", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    const vhost = encodeURIComponent(VHOST);
    await management("PUT", `vhosts/${vhost}`);
    await management("PUT", `permissions/${vhost}/guest`, { configure: ".*", write: ".*", read: ".*" });
    await management("PUT", `exchanges/${vhost}/dlx`, { type: "direct", durable: true });
    await management("PUT", `queues/${vhost}/orders.dlq`, { durable: true });
    await management("POST", `bindings/${vhost}/e/dlx/q/orders.dlq`, { routing_key: "dead" });
    await management("PUT", `queues/${vhost}/orders`, { durable: true, arguments: { "x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": "dead" } });
    await management("PUT", `queues/${vhost}/emails`, { durable: true });
    await management("PUT", `queues/${vhost}/payments`, { durable: true, arguments: { "x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": "nobody-binds-this" } });

    database = await createTestDatabase("hygiene");
    await migrateDatabase(database.url);
    process.env.DATABASE_URL = database.url;
    process.env.BROKERS = JSON.stringify({
      brokers: [
        { name: "rabbit-hygiene", kind: "rabbitmq", environment: "staging", connection: { url: `amqp://guest:guest@127.0.0.1:5672/${vhost}`, connectAttempts: 1 } },
        { name: "rabbit-down", kind: "rabbitmq", connection: { url: "amqp://guest:guest@127.0.0.1:1/", managementUrl: "http://127.0.0.1:1", connectAttempts: 1, backoffBaseMs: 1, backoffCapMs: 1 } },
      ],
    });
  });
  afterAll(async () => {
    await db().$disconnect();
    await database?.drop();
    await management("DELETE", `vhosts/${encodeURIComponent(VHOST)}`);
  });

  it("lists each broker's findings and reports a broker that is down", async () => {
    const [rabbit, down] = await hygieneReport();
    expect(rabbit).toMatchObject({ name: "rabbit-hygiene", status: "ok", checked: 4 });
    expect(rabbit!.findings.map((finding) => `${finding.queue.id}:${finding.code}`).sort()).toEqual([
      "emails:no-dead-letter-path",
      "orders.dlq:dlq-no-alert-rule",
      "payments:dead-letter-routes-nowhere",
    ]);
    expect(down).toMatchObject({ name: "rabbit-down", status: "down", findings: [] });
    expect(down!.error).toContain("rabbit-down");
  });

  it("stops flagging a DLQ once an alert rule watches it", async () => {
    await db().alertRule.create({
      data: { id: "r1", name: "orders", broker: "rabbit-*", queue: "orders.*", metric: "depth", threshold: 10, resolveBelow: 5, webhookUrl: "http://127.0.0.1:9/hook", format: "generic", createdBy: "a" },
    });
    const [rabbit] = await hygieneReport();
    expect(rabbit!.findings.map((finding) => finding.code)).not.toContain("dlq-no-alert-rule");
    await db().alertRule.delete({ where: { id: "r1" } });
  });

  it("keeps a mute with its reason, shows it on the finding, and audits mute and unmute", async () => {
    await muteFinding(actor, { broker: "rabbit-hygiene", queueId: "emails", code: "no-dead-letter-path", reason: "fire-and-forget notifications, OPS-142" });
    const [rabbit] = await hygieneReport();
    const emails = rabbit!.findings.find((finding) => finding.queue.id === "emails")!;
    expect(emails.mute).toMatchObject({ reason: "fire-and-forget notifications, OPS-142", mutedBy: "reviewer@example.com" });
    expect(rabbit!.findings.find((finding) => finding.queue.id === "payments")!.mute).toBeNull();

    expect(await unmuteFinding(actor, { broker: "rabbit-hygiene", queueId: "emails", code: "no-dead-letter-path" })).toBe(true);
    expect(await unmuteFinding(actor, { broker: "rabbit-hygiene", queueId: "emails", code: "no-dead-letter-path" })).toBe(false);
    const audit = await db().auditEntry.findMany({ orderBy: { id: "asc" } });
    expect(audit.map((row) => [row.action, row.actor, row.queueId, row.outcome])).toEqual([
      ["hygiene.mute", "reviewer@example.com", "emails", '{"muted":true}'],
      ["hygiene.unmute", "reviewer@example.com", "emails", '{"unmuted":true}'],
      ["hygiene.unmute", "reviewer@example.com", "emails", '{"unmuted":false}'],
    ]);
  });

  it("refuses a mute for an unknown broker or finding", async () => {
    await expect(muteFinding(actor, { broker: "nope", queueId: "x", code: "no-dead-letter-path", reason: "why not" })).rejects.toThrow('unknown broker "nope"');
    await expect(muteFinding(actor, { broker: "rabbit-hygiene", queueId: "x", code: "bogus" as never, reason: "why not" })).rejects.toThrow('unknown finding "bogus"');
  });
});
