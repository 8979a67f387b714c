// Bulk replay on the real RabbitMQ (and the SQS emulator for FIFO order): the frozen plan, the
// canary, auto-pause, pause / resume / cancel, a worker killed with SIGKILL mid-job, per-key order.
// Each test checks the broker itself (what reached the source queue, what is left in the DLQ).
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { createRabbitFixture, type RabbitFixture } from "@/lib/brokers/rabbitmq/test-fixture";
import { brokerError } from "@/lib/brokers/errors";
import { REPLAY_HEADERS } from "@/lib/brokers/rabbitmq/replay";
import type { BrokerAdapter, ReplayRequest } from "@/lib/brokers/types";
import { db } from "@/lib/db/client";
import { stopJobs } from "@/lib/jobs/boss";
import { refreshIndex } from "@/lib/triage/message-index";
import type { OperationTarget } from "../run";
import { setupTestDatabase } from "../testing/database";
import { cancelBulkJob, getBulkJob, pauseBulkJob, resumeBulkJob, setBulkJobRate, startBulkJob } from "./control";
import type { JobSettingsInput, Selection } from "./model";
import { planBulkReplay, type PlanPolicy } from "./plan";
import { runBulkJob, type RunnerDeps } from "./runner";

const database = setupTestDatabase("bulk");
afterAll(async () => {
  await stopJobs(5000);
});

const actor: Actor = { id: "ana@example.com", role: "operator", ip: "10.0.0.7", userAgent: "vitest" };
const policy: PlanPolicy = {
  ratePerSecond: 1000,
  maxRatePerSecond: 10_000,
  batchSize: 10,
  concurrency: 1,
  canarySize: 0,
  canaryWindowMs: 0,
  returnThreshold: 0.05,
  failureThreshold: 0.1,
  maxMessages: 100_000,
  returnScan: 1000,
  returnCheckMs: 60_000,
  reasonRequiredIn: [],
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function deps(adapter: BrokerAdapter, overrides: Partial<RunnerDeps> = {}): RunnerDeps {
  return { resolveAdapter: () => adapter, workerId: `test-${randomUUID().slice(0, 6)}`, leaseMs: 10_000, returnScan: 1000, returnCheckMs: 60_000, ...overrides };
}

const bodies = (prefix: string, count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => ({
    content: Buffer.from(JSON.stringify({ n: from + index })),
    options: { messageId: `${prefix}-${from + index}`, persistent: true, contentType: "application/json" },
  }));

/** Everything in the source queue, natively (removed), with the job id each copy carries. */
async function drainSource(fixture: RabbitFixture): Promise<{ id: string; operationId: string | null; body: string }[]> {
  const channel = await fixture.model.createChannel();
  const copies: { id: string; operationId: string | null; body: string }[] = [];
  for (;;) {
    const message = await channel.get(fixture.source.id, { noAck: true });
    if (!message) break;
    const stamp = message.properties.headers?.[REPLAY_HEADERS.operationId] as Buffer | string | undefined;
    copies.push({ id: String(message.properties.messageId), operationId: stamp === undefined ? null : String(stamp), body: message.content.toString("utf8") });
  }
  await channel.close();
  return copies;
}

async function plan(fixture: RabbitFixture, selection: Selection, settings: JobSettingsInput = {}, adapter: BrokerAdapter = fixture.adapter) {
  const target: OperationTarget = { adapter, broker: fixture.adapter.name, queueId: fixture.dlq.id, environment: null };
  return planBulkReplay(target, actor, { operationId: randomUUID(), selection, settings }, policy);
}

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}-${index}`);

describe("bulk replay on rabbitmq", () => {
  it("freezes the plan: messages that arrive after it stay in the DLQ, messages gone since are skipped", async () => {
    const fixture = await createRabbitFixture();
    try {
      await fixture.deadLetterBulk(bodies("early", 12));
      await refreshIndex(fixture.adapter, fixture.dlq.id);
      const [row] = await database.sql("SELECT DISTINCT fingerprint_id FROM message_index WHERE queue_id = $1", [fixture.dlq.id]);
      const group = String(row!.fingerprint_id);
      const job = await plan(fixture, { kind: "group", group });
      expect(job.status).toBe("planned");
      expect(job.counts.total).toBe(12);
      expect(job.summary.byGroup).toEqual([expect.objectContaining({ count: 12 })]);
      expect(job.summary.byDestination).toEqual([{ sendTo: fixture.source.id, count: 12 }]);
      expect(job.summary.routes[0]?.blocked).toBeNull();
      // The dry run sent nothing.
      expect(await fixture.depth(fixture.source.id)).toBe(0);

      await fixture.deadLetterBulk(bodies("late", 5));
      const [gone] = await fixture.adapter.remove(fixture.dlq.id, ["early-3"]);
      expect(gone?.status).toBe("removed");

      await startBulkJob(job.id, actor);
      await runBulkJob(job.id, deps(fixture.adapter));
      const done = await getBulkJob(job.id);
      expect(done.status).toBe("completed");
      expect(done.counts).toMatchObject({ total: 12, done: 11, skipped: 1, failed: 0, remaining: 0 });
      const copies = await drainSource(fixture);
      expect(copies.map((copy) => copy.id).sort()).toEqual(ids("early", 12).filter((id) => id !== "early-3").sort());
      expect(copies.every((copy) => copy.operationId === job.id)).toBe(true);
      // Only the late ones are left.
      expect(await fixture.depth(fixture.dlq.id)).toBe(5);
      const actions = (await db().auditEntry.findMany({ where: { operationId: job.id }, orderBy: { id: "asc" } })).map((row) => row.action);
      expect(actions).toEqual(expect.arrayContaining(["bulk-replay.plan", "bulk-replay.start", "bulk-replay.batch-intent", "bulk-replay.batch", "bulk-replay.outcome"]));
    } finally {
      await fixture.cleanup();
    }
  });

  it("stops after the canary when its messages come back to the DLQ", async () => {
    const fixture = await createRabbitFixture();
    let consumer: Awaited<ReturnType<RabbitFixture["model"]["createChannel"]>> | null = null;
    try {
      await fixture.deadLetterBulk(bodies("canary", 20));
      // The "fix" did not work: the consumer of the source rejects everything, which dead-letters it again.
      consumer = await fixture.model.createChannel();
      await consumer.consume(fixture.source.id, (message) => message && consumer!.nack(message, false, false));
      const job = await plan(fixture, { kind: "ids", ids: ids("canary", 20) }, { canarySize: 5, canaryWindowMs: 3000 });
      await startBulkJob(job.id, actor);
      await runBulkJob(job.id, deps(fixture.adapter));
      const stopped = await getBulkJob(job.id);
      expect(stopped.status).toBe("paused");
      expect(stopped.phase).toBe("canary");
      // It stops at the first check that sees a copy back, which may be before all five are.
      expect(stopped.statusReason).toMatch(/canary: [1-5] of 5 replayed messages came back/);
      expect(stopped.counts).toMatchObject({ done: 5, remaining: 15 });
      expect(stopped.counts.returned).toBeGreaterThanOrEqual(1);
      expect(stopped.counts.returned).toBeLessThanOrEqual(5);
      // 15 never sent + 5 that came back.
      await until(async () => (await fixture.depth(fixture.dlq.id)) === 20, 5000, "the DLQ to hold all 20");
    } finally {
      await consumer?.close();
      await fixture.cleanup();
    }
  });

  it("pauses by itself when the failure share passes the threshold", async () => {
    const fixture = await createRabbitFixture();
    try {
      await fixture.deadLetterBulk(bodies("fail", 40));
      // The destination starts failing after the first 10 messages.
      let sent = 0;
      // No replay session: every batch goes through the failing replay().
      const failing: BrokerAdapter = Object.create(fixture.adapter, {
        openReplaySession: { value: undefined },
        replay: {
          value: async (queueId: string, requests: readonly ReplayRequest[]) => {
            if (sent >= 10) return requests.map((request) => ({ id: request.id, status: "failed", error: "destination says 503" }));
            sent += requests.length;
            return fixture.adapter.replay(queueId, requests);
          },
        },
      });
      const job = await plan(fixture, { kind: "ids", ids: ids("fail", 40) }, { batchSize: 5, failureThreshold: 0.2 }, failing);
      // The view counts an ids selection and lists its first ids; the job keeps them all.
      expect(job.selection).toEqual({ kind: "ids", count: 40, ids: ids("fail", 20) });
      expect((await getBulkJob(job.id)).selection).toEqual(job.selection); // from selection_view
      await database.sql("UPDATE bulk_job SET selection_view = NULL WHERE id = $1", [job.id]); // as planned before the column
      expect((await getBulkJob(job.id)).selection).toEqual(job.selection);
      await startBulkJob(job.id, actor);
      await runBulkJob(job.id, deps(failing, { sleep: () => sleep(5) }));
      const paused = await getBulkJob(job.id);
      expect(paused.status).toBe("paused");
      expect(paused.statusReason).toMatch(/failed .* above the 20% threshold/);
      expect(paused.counts.done).toBe(10);
      expect(paused.counts.failed).toBeGreaterThanOrEqual(5);
      expect(paused.counts.remaining).toBeGreaterThan(0);
      expect((await db().auditEntry.findMany({ where: { operationId: job.id, action: "bulk-replay.auto-pause" } })).length).toBe(1);
      // Nothing lost: every message is in the source or still in the DLQ.
      expect((await drainSource(fixture)).length + (await fixture.depth(fixture.dlq.id))).toBe(40);
    } finally {
      await fixture.cleanup();
    }
  });

  it("retries a broker that is down with backoff and jitter, and pauses on a destination that stays down", async () => {
    const fixture = await createRabbitFixture();
    try {
      await fixture.deadLetterBulk(bodies("down", 10));
      let calls = 0;
      let downFor = 2;
      const flaky: BrokerAdapter = Object.create(fixture.adapter, {
        openReplaySession: { value: undefined },
        replay: {
          value: async (queueId: string, requests: readonly ReplayRequest[]) => {
            calls++;
            if (downFor-- > 0) throw brokerError("unavailable", fixture.adapter.name, "connection refused");
            return fixture.adapter.replay(queueId, requests);
          },
        },
      });
      const waits: number[] = [];
      const first = await plan(fixture, { kind: "ids", ids: ids("down", 5) }, {}, flaky);
      await startBulkJob(first.id, actor);
      await runBulkJob(first.id, deps(flaky, { sleep: async (ms) => void waits.push(ms) }));
      expect((await getBulkJob(first.id)).counts).toMatchObject({ done: 5, failed: 0 });
      expect(calls).toBe(3);
      // min(cap, 200 * 2^attempt) + jitter up to 200 ms.
      expect(waits[0]).toBeGreaterThanOrEqual(200);
      expect(waits[0]).toBeLessThan(400);
      expect(waits[1]).toBeGreaterThanOrEqual(400);
      expect(waits[1]).toBeLessThan(600);

      downFor = 100;
      const second = await plan(fixture, { kind: "ids", ids: ids("down", 10).slice(5) }, {}, flaky);
      await startBulkJob(second.id, actor);
      await runBulkJob(second.id, deps(flaky, { sleep: async () => undefined }));
      const paused = await getBulkJob(second.id);
      expect(paused.status).toBe("paused");
      expect(paused.statusReason).toMatch(/destination error after 5 attempt\(s\): .*connection refused/);
      expect(paused.counts).toMatchObject({ done: 0, failed: 0, remaining: 5 });
      expect(await fixture.depth(fixture.dlq.id)).toBe(5);
    } finally {
      await fixture.cleanup();
    }
  });

  it("pauses with the reason when this worker cannot reach the job's broker", async () => {
    const fixture = await createRabbitFixture();
    try {
      await fixture.deadLetterBulk(bodies("nobroker", 3));
      const job = await plan(fixture, { kind: "ids", ids: ids("nobroker", 3) });
      await startBulkJob(job.id, actor);
      await runBulkJob(job.id, deps(fixture.adapter, { resolveAdapter: () => { throw new Error(`no broker named "${fixture.adapter.name}" is configured`); } }));
      const paused = await getBulkJob(job.id);
      expect(paused).toMatchObject({ status: "paused", workerId: null, counts: { done: 0, remaining: 3 } });
      expect(paused.statusReason).toMatch(/no broker named/);
      expect(await fixture.depth(fixture.dlq.id)).toBe(3);
    } finally {
      await fixture.cleanup();
    }
  });

  it("pauses, resumes where it stopped, changes rate and cancels without leaving a message in neither place", async () => {
    const fixture = await createRabbitFixture();
    try {
      await fixture.deadLetterBulk(bodies("ctl", 60));
      const job = await plan(fixture, { kind: "ids", ids: ids("ctl", 60) }, { batchSize: 5, ratePerSecond: 25 });
      await startBulkJob(job.id, actor);
      const worker = deps(fixture.adapter);
      let run = runBulkJob(job.id, worker);
      await until(async () => (await getBulkJob(job.id)).counts.done >= 10, 10_000, "10 done");
      await pauseBulkJob(job.id, actor);
      await run;
      const paused = await getBulkJob(job.id);
      expect(paused.status).toBe("paused");
      await sleep(500);
      expect((await getBulkJob(job.id)).counts.done).toBe(paused.counts.done);

      await resumeBulkJob(job.id, actor);
      await setBulkJobRate(job.id, actor, 40, policy.maxRatePerSecond);
      run = runBulkJob(job.id, worker);
      await until(async () => (await getBulkJob(job.id)).counts.done >= paused.counts.done + 15, 10_000, "15 more done");
      await cancelBulkJob(job.id, actor);
      await run;
      const cancelled = await getBulkJob(job.id);
      expect(cancelled.status).toBe("cancelled");
      expect(cancelled.settings.ratePerSecond).toBe(40);
      const copies = await drainSource(fixture);
      // Each message is in exactly one place: replayed once, or still in the DLQ.
      expect(new Set(copies.map((copy) => copy.id)).size).toBe(copies.length);
      expect(copies.length).toBe(cancelled.counts.done);
      expect(await fixture.depth(fixture.dlq.id)).toBe(60 - cancelled.counts.done);
      expect(cancelled.counts.done).toBeLessThan(60);
      const items = await db().bulkJobItem.groupBy({ by: ["status"], where: { jobId: job.id }, _count: true });
      expect(Object.fromEntries(items.map((item) => [item.status, item._count]))).toEqual({ moved: cancelled.counts.done, cancelled: 60 - cancelled.counts.done });
      const actions = (await db().auditEntry.findMany({ where: { operationId: job.id }, orderBy: { id: "asc" } })).map((row) => row.action);
      expect(actions).toEqual(expect.arrayContaining(["bulk-replay.pause", "bulk-replay.resume", "bulk-replay.rate", "bulk-replay.cancel", "bulk-replay.cancelled"]));
    } finally {
      await fixture.cleanup();
    }
  });

  it("hears a pause through Postgres at the next batch without re-reading the job before every batch, and re-reads every batch once its notification connection is lost", async () => {
    const fixture = await createRabbitFixture();
    try {
      await fixture.deadLetterBulk(bodies("sig", 400));
      // Each broker call takes 30 ms and the rate never makes a lane wait (a wait re-reads the job
      // anyway). Without the notification the lane would re-read only once a second: 30 batches on.
      let calls = 0;
      const actions = new Map<number, () => Promise<unknown>>();
      const slow: BrokerAdapter = Object.create(fixture.adapter, {
        openReplaySession: { value: undefined },
        replay: {
          value: async (queueId: string, requests: readonly ReplayRequest[]) => {
            await actions.get(++calls)?.();
            await sleep(30);
            return fixture.adapter.replay(queueId, requests);
          },
        },
      });
      const job = await plan(fixture, { kind: "ids", ids: ids("sig", 400) }, { batchSize: 10, ratePerSecond: 10_000 }, slow);
      await startBulkJob(job.id, actor);
      const worker = deps(slow);
      actions.set(5, () => pauseBulkJob(job.id, actor));
      await runBulkJob(job.id, worker);
      const paused = await getBulkJob(job.id);
      expect(paused.status).toBe("paused");
      // Batch 5 was at the broker when the pause came: it finishes; the one claimed after it is withdrawn.
      expect(paused.counts.done).toBe(50);

      // The LISTEN connection dies during batch 8 (of this worker's calls); the pause comes during batch 12.
      const terminate = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`;
      actions.set(8, async () => expect((await database.sql(terminate)).length).toBe(1));
      actions.set(12, () => pauseBulkJob(job.id, actor));
      await resumeBulkJob(job.id, actor);
      await runBulkJob(job.id, worker);
      const again = await getBulkJob(job.id);
      expect(again.status).toBe("paused");
      expect(again.counts.done).toBe(120);
      expect(calls).toBe(12);
      // Nothing lost, nothing twice.
      const copies = await drainSource(fixture);
      expect(new Set(copies.map((copy) => copy.id)).size).toBe(120);
      expect(await fixture.depth(fixture.dlq.id)).toBe(280);
    } finally {
      await fixture.cleanup();
    }
  });

  it("resumes on another worker after one is killed with SIGKILL (nothing lost, duplicates within one batch) and after a clean SIGTERM (no duplicate)", async () => {
    const fixture = await createRabbitFixture();
    const children: ChildProcess[] = [];
    const child = (workerId: string) =>
      new Promise<ChildProcess>((resolve, reject) => {
        const process_ = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(import.meta.dirname, "testing", "worker-child.ts")], {
          cwd: process.cwd(),
          env: { ...process.env, DATABASE_URL: database.url(), CHILD_BROKER: fixture.adapter.name, CHILD_WORKER_ID: workerId, CHILD_LEASE_MS: "1500", JOBS_POLL_SECONDS: "0.5" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        children.push(process_);
        let errors = "";
        process_.stderr!.on("data", (chunk: Buffer) => (errors += chunk.toString()));
        process_.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve(process_));
        process_.on("exit", (code, signal) => signal !== "SIGKILL" && code !== 0 && reject(new Error(`worker exited ${code}: ${errors}`)));
      });
    try {
      const total = 500;
      const batchSize = 20;
      await fixture.deadLetterBulk(bodies("crash", total));
      const job = await plan(fixture, { kind: "ids", ids: ids("crash", total) }, { batchSize, ratePerSecond: 400 });
      const first = await child("worker-a");
      await startBulkJob(job.id, actor);
      await until(async () => (await getBulkJob(job.id)).counts.done >= 100, 30_000, "100 done on worker a");
      first.kill("SIGKILL");
      const killedAt = (await getBulkJob(job.id)).counts.done;
      expect(killedAt).toBeLessThan(total);
      const second = await child("worker-b");
      await until(async () => (await getBulkJob(job.id)).counts.done >= 250, 30_000, "250 done on worker b");
      // SIGTERM: a clean stop finishes the batch in flight and gives the job up at once (no lease to wait out, no duplicate).
      const exited = new Promise<number | null>((resolve) => second.once("exit", (code) => resolve(code)));
      second.kill("SIGTERM");
      await exited;
      const handedOver = await db().bulkJob.findUniqueOrThrow({ where: { id: job.id } });
      expect(handedOver.workerId).toBeNull();
      expect(handedOver.status).toBe("running");
      expect(await db().bulkJobItem.count({ where: { jobId: job.id, status: "sending" } })).toBe(0);
      expect(await db().bulkJobInflight.count({ where: { jobId: job.id } })).toBe(0); // its claimed batch was withdrawn
      await child("worker-c");
      await until(async () => (await getBulkJob(job.id)).status === "completed", 45_000, "the job to complete on worker c");
      const finished = await getBulkJob(job.id);
      const statuses = await database.sql("SELECT status, error, count(*)::int AS n FROM bulk_job_item WHERE job_id = $1 GROUP BY 1, 2", [job.id]);
      const audit = await database.sql("SELECT action, actor, outcome FROM audit_log WHERE operation_id = $1 AND action NOT LIKE 'bulk-replay.batch%' ORDER BY id", [job.id]);
      expect({ counts: finished.counts, statuses, audit }).toMatchObject({ counts: { done: total } });
      expect(finished.counts).toMatchObject({ total, done: total, failed: 0, skipped: 0 });
      const copies = await drainSource(fixture);
      const distinct = new Set(copies.map((copy) => copy.id));
      expect(distinct.size).toBe(total); // zero lost
      expect(copies.length - total).toBeLessThanOrEqual(batchSize); // duplicates bounded by one batch
      expect(await fixture.depth(fixture.dlq.id)).toBe(0);
      const workers = await db().bulkJobCheckpoint.groupBy({ by: ["workerId"], where: { jobId: job.id } });
      expect(workers.map((row) => row.workerId).sort()).toEqual(["worker-a", "worker-b", "worker-c"]);
      // Worker b took over from the killed worker a; worker c found the job handed over (no previous worker).
      expect(await db().auditEntry.count({ where: { operationId: job.id, action: "bulk-replay.takeover" } })).toBe(1);
    } finally {
      for (const process_ of children) process_.kill("SIGKILL");
      await fixture.cleanup();
    }
  }, 120_000);
});
