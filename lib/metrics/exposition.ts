import "server-only";
// /metrics in the Prometheus text format: every DLQ's depth and oldest age, which brokers are up,
// the console's operations by kind and outcome, and bulk replay progress. Built fresh for each scrape from the brokers
// (live) and Postgres (shared by every replica), so two replicas answer the same.
import { Gauge, Registry } from "prom-client";
import { listOverview } from "@/lib/brokers/overview";
import { db } from "@/lib/db/client";
import { orNullWhenDatabaseFails } from "@/lib/db/optional";

/** The exposition text and its content type. */
export async function renderMetrics(now = Date.now()): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const labels = ["broker", "kind", "environment", "queue"] as const;
  const depth = new Gauge({ name: "dlq_depth", help: "Messages in the dead-letter queue.", labelNames: labels, registers: [registry] });
  const oldest = new Gauge({ name: "dlq_oldest_message_age_seconds", help: "Age of the oldest message, where the broker reports it.", labelNames: labels, registers: [registry] });
  const up = new Gauge({ name: "dlq_broker_up", help: "1 when the console could list the broker's DLQs, else 0.", labelNames: ["broker", "kind", "environment"], registers: [registry] });
  const brokerError = new Gauge({
    name: "dlq_broker_error",
    help: "1 for a broker that is down, labelled with the error code.",
    labelNames: ["broker", "kind", "environment", "code"],
    registers: [registry],
  });
  const operations = new Gauge({
    name: "dlq_console_operations",
    help: "Operations the console has recorded (replay, resend, purge, restore), by outcome.",
    labelNames: ["kind", "status"],
    registers: [registry],
  });
  const jobs = new Gauge({ name: "dlq_console_bulk_jobs", help: "Bulk replay jobs by status.", labelNames: ["status"], registers: [registry] });
  const jobMessages = new Gauge({
    name: "dlq_console_bulk_job_messages",
    help: "Messages of each unfinished bulk replay job by state (done, failed, skipped, returned, remaining).",
    labelNames: ["job", "broker", "queue", "status", "state"],
    registers: [registry],
  });
  const databaseUp = new Gauge({ name: "dlq_console_database_up", help: "1 when the console's Postgres answered this scrape.", registers: [registry] });

  const [brokers, counts, jobCounts, openJobs] = await Promise.all([
    listOverview(),
    orNullWhenDatabaseFails("operation counts", () => db().operation.groupBy({ by: ["kind", "status"], _count: { _all: true } })),
    orNullWhenDatabaseFails("bulk job counts", () => db().bulkJob.groupBy({ by: ["status"], _count: { _all: true } })),
    orNullWhenDatabaseFails("open bulk jobs", () =>
      db().bulkJob.findMany({
        where: { status: { in: ["planning", "planned", "running", "paused", "cancelling"] } },
        select: { id: true, broker: true, queueId: true, status: true, total: true, done: true, failed: true, skipped: true, returned: true },
      }),
    ),
  ]);
  for (const broker of brokers) {
    const base = { broker: broker.name, kind: broker.kind, environment: broker.environment ?? "" };
    up.set(base, broker.status === "ok" ? 1 : 0);
    if (broker.error) brokerError.set({ ...base, code: broker.error.code }, 1);
    for (const queue of broker.queues) {
      depth.set({ ...base, queue: queue.name }, queue.depth);
      if (queue.oldestMessageAt) oldest.set({ ...base, queue: queue.name }, Math.max(0, (now - queue.oldestMessageAt.getTime()) / 1000));
    }
  }
  for (const row of jobCounts ?? []) jobs.set({ status: row.status }, row._count._all);
  for (const job of openJobs ?? []) {
    const labels = { job: job.id, broker: job.broker, queue: job.queueId, status: job.status };
    const remaining = Math.max(0, job.total - job.done - job.failed - job.skipped);
    for (const [state, value] of [["done", job.done], ["failed", job.failed], ["skipped", job.skipped], ["returned", job.returned], ["remaining", remaining]] as const) {
      jobMessages.set({ ...labels, state }, value);
    }
  }
  databaseUp.set(counts && jobCounts && openJobs ? 1 : 0);
  for (const row of counts ?? []) operations.set({ kind: row.kind, status: row.status }, row._count._all);
  return { contentType: registry.contentType, body: await registry.metrics() };
}
