// GET /api/metrics against a real RabbitMQ vhost and Postgres: the text parses with a Prometheus parser,
// depths match what RabbitMQ itself counts, a down broker shows as down, and operations are counted.
import { randomUUID } from "node:crypto";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { createTestDatabase, type TestDatabase } from "@/lib/db/test-database";
import { renderMetrics } from "@/lib/metrics/exposition";
import { GET } from "./route";


const MANAGEMENT = "http://127.0.0.1:15672/api";
const AUTH = { Authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}`, "content-type": "application/json" };
const VHOST = `dlqc-metrics-${randomUUID().slice(0, 8)}`;

async function management(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${MANAGEMENT}/${path}`, { method, headers: AUTH, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

interface Sample { labels?: Record<string, string>; value: string }
interface Family { name: string; type: string; metrics: Sample[] }

describe("/metrics", () => {
  let database: TestDatabase;
  const vhost = encodeURIComponent(VHOST);

  beforeAll(async () => {
    await management("PUT", `vhosts/${vhost}`);
    await management("PUT", `permissions/${vhost}/guest`, { configure: ".*", write: ".*", read: ".*" });
    await management("PUT", `exchanges/${vhost}/dlx`, { type: "fanout", durable: true });
    for (const [dlq, count] of [["orders.dlq", 7], ["payments.dlq", 2]] as const) {
      await management("PUT", `queues/${vhost}/${dlq}`, { durable: true });
      await management("PUT", `queues/${vhost}/${dlq}.src`, { durable: true, arguments: { "x-dead-letter-exchange": `${dlq}.dlx` } });
      await management("PUT", `exchanges/${vhost}/${dlq}.dlx`, { type: "fanout", durable: true });
      await management("POST", `bindings/${vhost}/e/${dlq}.dlx/q/${dlq}`, {});
      for (let n = 0; n < count; n++) {
        await management("POST", `exchanges/${vhost}/amq.default/publish`, { properties: {}, routing_key: `${dlq}.src`, payload: `m${n}`, payload_encoding: "string" });
      }
      await management("POST", `queues/${vhost}/${dlq}.src/get`, { count, ackmode: "reject_requeue_false", encoding: "auto" });
    }
    database = await createTestDatabase("metrics");
    await migrateDatabase(database.url);
    process.env.DATABASE_URL = database.url;
    process.env.METRICS_TOKEN = "scrape-token-0123456789";
    process.env.BROKERS = JSON.stringify({
      brokers: [
        { name: "rabbit-metrics", kind: "rabbitmq", environment: "prod", connection: { url: `amqp://guest:guest@127.0.0.1:5672/${vhost}` } },
        { name: "rabbit-gone", kind: "rabbitmq", connection: { url: "amqp://guest:guest@127.0.0.1:1/", managementUrl: "http://127.0.0.1:1", connectAttempts: 1, backoffBaseMs: 1, backoffCapMs: 1 } },
      ],
    });
    const operation = (id: string, kind: string, status: string) => ({ id, kind, status, actor: "a", broker: "rabbit-metrics", queueId: "orders.dlq", request: "{}", requestHash: id });
    const job = (id: string, status: string, done: number) => ({
      id, actor: "a", broker: "rabbit-metrics", queueId: "orders.dlq", selection: "{}", status, ratePerSecond: 10, concurrency: 1, batchSize: 10,
      canarySize: 0, canaryWindowMs: 0, returnThreshold: 0.05, failureThreshold: 0.1, total: 100, done, failed: 2, skipped: 1, summary: "{}",
    });
    await db().bulkJob.createMany({ data: [job("j1", "running", 40), job("j2", "completed", 97)] });
    await db().operation.createMany({ data: [operation("o1", "replay", "succeeded"), operation("o2", "replay", "succeeded"), operation("o3", "purge", "failed")] });
  }, 60_000);
  afterAll(async () => {
    await db().$disconnect();
    await database?.drop();
    await management("DELETE", `vhosts/${vhost}`);
  });

  it("parses as Prometheus text and matches the broker's own counts", async () => {
    const { contentType, body } = await renderMetrics();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(body) as Family[];
    const family = (name: string) => families.find((entry) => entry.name === name)!;

    // The management API's counts are sampled (every 5 s by default): a queue declared a moment ago
    // has none yet, or the 0 of before the dead letters arrived. Wait until it has seen them.
    const seeded = { "orders.dlq": "7", "payments.dlq": "2" };
    let rabbitCounts: Record<string, string> = {};
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250))) {
      const queues = (await management("GET", `queues/${vhost}?columns=name,messages`)) as { name: string; messages?: number }[];
      rabbitCounts = Object.fromEntries(queues.filter((queue) => queue.name.endsWith(".dlq")).map((queue) => [queue.name, String(queue.messages)]));
      if (Object.keys(rabbitCounts).length === 2 && Object.entries(seeded).every(([name, count]) => rabbitCounts[name] === count)) break;
    }
    expect(rabbitCounts).toEqual(seeded);
    const depths = Object.fromEntries(family("dlq_depth").metrics.map((sample) => [sample.labels!.queue, sample.value]));
    expect(depths).toEqual(rabbitCounts);
    expect(family("dlq_depth").metrics[0]!.labels).toMatchObject({ broker: "rabbit-metrics", kind: "rabbitmq", environment: "prod" });

    const up = Object.fromEntries(family("dlq_broker_up").metrics.map((sample) => [sample.labels!.broker, sample.value]));
    expect(up).toEqual({ "rabbit-metrics": "1", "rabbit-gone": "0" });
    expect(family("dlq_broker_error").metrics).toEqual([{ labels: { broker: "rabbit-gone", kind: "rabbitmq", environment: "", code: "unavailable" }, value: "1" }]);

    const operations = family("dlq_console_operations").metrics.map((sample) => [sample.labels!.kind, sample.labels!.status, sample.value]);
    expect(operations.sort()).toEqual([["purge", "failed", "1"], ["replay", "succeeded", "2"]]);
    expect(family("dlq_console_database_up").metrics[0]!.value).toBe("1");
    expect(Object.fromEntries(family("dlq_console_bulk_jobs").metrics.map((sample) => [sample.labels!.status, sample.value]))).toEqual({ running: "1", completed: "1" });
    const progress = Object.fromEntries(family("dlq_console_bulk_job_messages").metrics.map((sample) => [sample.labels!.state, sample.value]));
    expect(progress).toEqual({ done: "40", failed: "2", skipped: "1", returned: "0", remaining: "57" });
    expect(family("dlq_console_bulk_job_messages").metrics[0]!.labels).toMatchObject({ job: "j1", status: "running" });
  }, 60_000);

  it("keeps every secret out of the text", async () => {
    const { body } = await renderMetrics();
    expect(body).not.toContain("guest:guest");
    expect(body).not.toContain("amqp://");
  });

  it("answers only a scrape that carries the token", async () => {
    const scrape = (authorization?: string) =>
      GET(new NextRequest("http://console.test/metrics", { headers: authorization ? { authorization } : {} }));
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer wrong-token-0123456789")).status).toBe(401);
    const ok = await scrape("Bearer scrape-token-0123456789");
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('dlq_depth{broker="rabbit-metrics"');
  });
});
