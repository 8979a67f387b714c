// Bulk replay throughput on the in-process Service Bus emulator and a real Postgres, in one run:
// (a) the raw SDK moving N dead letters to a target queue with batching (receive a batch
// peek-lock from the DLQ, send it as one batch, complete each), (b) the console's bulk replay of
// the same N with every safety on (frozen plan timed apart, canary, rate limiter, audit rows and a
// checkpoint per batch, lease, return checks), (c) the adapter's replay() alone in the same
// batches. One lane, same batch size. Prints msg/s, the ratios and peak RSS.
// Run: npx tsx --conditions=react-server bench/servicebus-bulk-replay.ts [count] [batch]
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { ServiceBusClient } from "@azure/service-bus";
import { createServicebusAdapter } from "../lib/brokers/servicebus";
import { startEmulator } from "../sandbox/servicebus/emulator";
import { bulkReplayBench, mb, repeatRounds, rssMeter } from "./measure";

const COUNT = Number(process.argv[2] ?? 2_000);
const BATCH = Number(process.argv[3] ?? 100);

async function main(): Promise<void> {
  const { database, disconnect, stopJobs, planBulkReplay, getBulkJob, startBulkJob, runBulkJob } = await bulkReplayBench("bench_sb_bulk");

  // The queues dead-letter on expiry with a 1 ms TTL: the broker fills the DLQs; copies go to "target".
  const expiring = { defaultMessageTimeToLiveMs: 1, deadLetteringOnMessageExpiration: true };
  const emulator = await startEmulator({ queues: [{ name: "raw", ...expiring }, { name: "console", ...expiring }, { name: "adapter", ...expiring }, { name: "target" }] });
  const client = new ServiceBusClient(emulator.connectionString);
  const adapter = createServicebusAdapter({ name: "bench-sb", connection: { connectionString: emulator.connectionString } });
  const depth = async (queue: string) => (await adapter.listDeadLetterQueues()).find((dlq) => dlq.id === `${queue}/$DeadLetterQueue`)?.depth ?? 0;
  const fill = async (queue: string) => {
    const sender = client.createSender(queue);
    for (let start = 0; start < COUNT; start += 250) {
      await sender.sendMessages(Array.from({ length: Math.min(250, COUNT - start) }, (_, index) => ({ body: Buffer.from(JSON.stringify({ n: start + index })), messageId: `${queue}-${start + index}`, contentType: "application/json" })));
    }
    await sender.close();
    const deadline = Date.now() + 120_000;
    while ((await depth(queue)) < COUNT) {
      if (Date.now() > deadline) throw new Error(`the DLQ of ${queue} did not fill`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  try {
    console.log(`filling three DLQs with ${COUNT} dead letters...`);
    for (const queue of ["raw", "console", "adapter"]) await fill(queue);

    let meter = rssMeter();
    const receiver = client.createReceiver("raw", { subQueueType: "deadLetter" });
    const sender = client.createSender("target");
    let started = performance.now();
    for (let moved = 0; moved < COUNT; ) {
      const messages = await receiver.receiveMessages(Math.min(BATCH, COUNT - moved), { maxWaitTimeInMs: 5000 });
      if (messages.length === 0) throw new Error(`raw: DLQ empty after ${moved}`);
      await sender.sendMessages(messages.map((message) => ({ body: message.body as Buffer, messageId: message.messageId, contentType: message.contentType, applicationProperties: message.applicationProperties })));
      await Promise.all(messages.map((message) => receiver.completeMessage(message)));
      moved += messages.length;
    }
    const rawRate = COUNT / ((performance.now() - started) / 1000);
    const rawRss = meter.stop();
    await receiver.close();
    await sender.close();

    meter = rssMeter();
    const adapterDead = await (async () => {
      const ids: string[] = [];
      for (let cursor: string | null = null; ; ) {
        const page = await adapter.browse("adapter/$DeadLetterQueue", { cursor, limit: 500 });
        ids.push(...page.messages.map((message) => message.id));
        cursor = page.nextCursor;
        if (!cursor) return ids;
      }
    })();
    started = performance.now();
    for (let start = 0; start < adapterDead.length; start += BATCH) {
      const outcomes = await adapter.replay("adapter/$DeadLetterQueue", adapterDead.slice(start, start + BATCH).map((id) => ({ id, destination: { id: "target" }, stamp: { operationId: "bench-adapter", operator: "bench", replayCount: 1 } })));
      if (outcomes.some((outcome) => outcome.status !== "moved")) throw new Error("adapter: not every message moved");
    }
    const adapterRate = COUNT / ((performance.now() - started) / 1000);
    const adapterRss = meter.stop();

    const actor = { id: "bench", role: "operator" as const, ip: null, userAgent: null };
    const target = { adapter, broker: adapter.name, queueId: "console/$DeadLetterQueue", environment: null };
    const policy = {
      ratePerSecond: 100_000, maxRatePerSecond: 100_000, batchSize: BATCH, concurrency: 1, canarySize: 100, canaryWindowMs: 0,
      returnThreshold: 0.05, failureThreshold: 0.1, maxMessages: COUNT, returnScan: 2000, returnCheckMs: 5000, reasonRequiredIn: [],
    };
    const ids: string[] = [];
    for (let cursor: string | null = null; ; ) {
      const page = await adapter.browse(target.queueId, { cursor, limit: 500 });
      ids.push(...page.messages.map((message) => message.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    meter = rssMeter();
    const planStarted = performance.now();
    const job = await planBulkReplay(target, actor, { operationId: randomUUID(), selection: { kind: "ids", ids }, destination: { id: "target" } }, policy);
    const planSeconds = (performance.now() - planStarted) / 1000;
    meter.stop();
    meter = rssMeter();
    await startBulkJob(job.id, actor);
    started = performance.now();
    await runBulkJob(job.id, { resolveAdapter: () => adapter, workerId: "bench", leaseMs: 30_000, returnScan: policy.returnScan, returnCheckMs: policy.returnCheckMs });
    const consoleRate = COUNT / ((performance.now() - started) / 1000);
    const runRss = meter.stop();
    const done = await getBulkJob(job.id);
    if (done.status !== "completed" || done.counts.done !== COUNT) throw new Error(`bulk replay ended ${done.status} with ${JSON.stringify(done.counts)}`);

    console.log(`\nService Bus (emulator) bulk replay, N = ${COUNT}, batch ${BATCH}, 1 lane`);
    console.log(`  (a) raw SDK, batched send:          ${Math.round(rawRate)} msg/s   peak RSS ${mb(rawRss)}`);
    console.log(`  (b) console bulk replay, all safety: ${Math.round(consoleRate)} msg/s   peak RSS ${mb(runRss)}`);
    console.log(`  (c) adapter replay() alone:          ${Math.round(adapterRate)} msg/s   peak RSS ${mb(adapterRss)}`);
    console.log(`  ratio (b)/(a): ${(consoleRate / rawRate).toFixed(2)}   (b)/(c): ${(consoleRate / adapterRate).toFixed(2)}`);
    console.log(`  plan (freeze ${COUNT} ids + payload hashes, not in (b)): ${planSeconds.toFixed(1)} s`);
  } finally {
    await stopJobs(5000);
    await adapter.close();
    await client.close();
    await emulator.stop();
    await disconnect();
    await database.drop();
  }
}

(async () => ((await repeatRounds()) ? undefined : main()))().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
