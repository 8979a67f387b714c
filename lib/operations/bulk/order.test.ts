// Per-key order of a bulk replay on a session DLQ (Service Bus emulator): 3 sessions replayed in
// parallel lanes, several batches each; every session must reach the queue in its original order.
// And on a FIFO DLQ (SQS, fauxqs), where a read sees only each group's head at planning time.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { createServicebusFixture, type ServicebusFixture } from "@/lib/brokers/servicebus/test-fixture";
import { createRedrivePair, deadLetterThroughSource, deleteQueues, drain, emulatorAdapter, startEmulator, testClient, type RunningEmulator } from "@/lib/brokers/sqs/testing/emulators";
import { browseAll } from "@/lib/brokers/testing/contract";
import { stopJobs } from "@/lib/jobs/boss";
import { setupTestDatabase } from "../testing/database";
import { getBulkJob, startBulkJob } from "./control";
import { planBulkReplay, type PlanPolicy } from "./plan";
import { runBulkJob } from "./runner";

setupTestDatabase("bulk_order");

const actor: Actor = { id: "ana@example.com", role: "operator", ip: null, userAgent: "vitest" };
const policy: PlanPolicy = {
  ratePerSecond: 1000, maxRatePerSecond: 10_000, batchSize: 2, concurrency: 3, canarySize: 2, canaryWindowMs: 0,
  returnThreshold: 0.5, failureThreshold: 0.1, maxMessages: 10_000, returnScan: 100, returnCheckMs: 60_000, reasonRequiredIn: [],
};
const SESSIONS = ["s-a", "s-b", "s-c"];
const PER_SESSION = 6;

describe("bulk replay of a session DLQ (servicebus emulator)", () => {
  let f: ServicebusFixture;
  beforeAll(async () => {
    f = await createServicebusFixture({ queues: [{ name: "payments", requiresSession: true, lockDurationMs: 5000 }], topics: [] });
  });
  afterAll(async () => {
    await stopJobs(5000);
    await f?.cleanup();
  });

  it("keeps each session's order across lanes and batches", async () => {
    const sender = f.client.createSender("payments");
    for (let seq = 0; seq < PER_SESSION; seq++) {
      for (const sessionId of SESSIONS) await sender.sendMessages({ body: Buffer.from(`${sessionId}:${seq}`), messageId: `${sessionId}-${seq}`, sessionId });
    }
    await sender.close();
    for (const sessionId of SESSIONS) {
      const receiver = await f.client.acceptSession("payments", sessionId);
      const messages = await receiver.receiveMessages(PER_SESSION, { maxWaitTimeInMs: 1000 });
      for (const message of messages) await receiver.deadLetterMessage(message, { deadLetterReason: "PaymentDeclined", deadLetterErrorDescription: "card expired" });
      await receiver.close();
    }
    const dlq = "payments/$DeadLetterQueue";
    const dead = await browseAll(f.adapter, dlq);
    expect(dead).toHaveLength(SESSIONS.length * PER_SESSION);

    const target = { adapter: f.adapter, broker: f.adapter.name, queueId: dlq, environment: null };
    const job = await planBulkReplay(target, actor, { operationId: randomUUID(), selection: { kind: "ids", ids: dead.map((message) => message.id) } }, policy);
    expect(job.counts.total).toBe(SESSIONS.length * PER_SESSION);
    expect(job.summary.partitionKeys).toBe(SESSIONS.length);
    await startBulkJob(job.id, actor);
    await runBulkJob(job.id, { resolveAdapter: () => f.adapter, workerId: "order-test", leaseMs: 10_000, returnScan: 100, returnCheckMs: 60_000 });
    expect((await getBulkJob(job.id)).counts).toMatchObject({ done: SESSIONS.length * PER_SESSION, failed: 0, skipped: 0 });

    const copies = await f.drain("payments", { sessions: true });
    const inOrder = (sessionId: string) => Array.from({ length: PER_SESSION }, (_, seq) => `${sessionId}-${seq}`);
    for (const sessionId of SESSIONS) expect(copies.filter((copy) => copy.sessionId === sessionId).map((copy) => copy.messageId)).toEqual(inOrder(sessionId));
    expect(await browseAll(f.adapter, dlq)).toEqual([]);
  }, 120_000);
});

describe("bulk replay of a FIFO DLQ (sqs, fauxqs)", () => {
  let emulator: RunningEmulator;
  let client: ReturnType<typeof testClient>;
  beforeAll(async () => {
    emulator = await startEmulator("fauxqs");
    client = testClient(emulator.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await emulator?.stop();
  });

  it("freezes the messages behind each group's head by id and replays every group in order", async () => {
    const pair = await createRedrivePair(client, { label: "bulk-fifo", fifo: true });
    const adapter = emulatorAdapter(emulator, pair.prefix);
    try {
      const seeds = Array.from({ length: 24 }, (_, index) => ({ body: JSON.stringify({ group: `g${index % 3}`, seq: Math.floor(index / 3) }), groupId: `g${index % 3}` }));
      const ids = await deadLetterThroughSource(client, pair, seeds);
      const target = { adapter, broker: adapter.name, queueId: pair.dlq.name, environment: null };
      const job = await planBulkReplay(target, actor, { operationId: randomUUID(), selection: { kind: "ids", ids } }, policy);
      // A read of a FIFO DLQ sees each group's head only; the rest is frozen unread, in one lane.
      expect(job.counts.total).toBe(24);
      expect(job.summary.unreadAtPlan).toBe(21);
      expect(job.settings.concurrency).toBe(1);
      await startBulkJob(job.id, actor);
      await runBulkJob(job.id, { resolveAdapter: () => adapter, workerId: "fifo-test", leaseMs: 10_000, returnScan: 100, returnCheckMs: 60_000 });
      expect((await getBulkJob(job.id)).counts).toMatchObject({ done: 24, failed: 0, skipped: 0 });
      const sequences = new Map<string, number[]>();
      for (const message of await drain(client, pair.source.url)) {
        const { group, seq } = JSON.parse(message.Body!) as { group: string; seq: number };
        sequences.set(group, [...(sequences.get(group) ?? []), seq]);
      }
      const inOrder = Array.from({ length: 8 }, (_, index) => index);
      expect(Object.fromEntries(sequences)).toEqual({ g0: inOrder, g1: inOrder, g2: inOrder });
    } finally {
      await adapter.close();
      await deleteQueues(client, [pair.source.url, pair.dlq.url]);
    }
  }, 120_000);
});
