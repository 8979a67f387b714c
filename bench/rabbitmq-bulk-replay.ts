// Bulk replay throughput on the real RabbitMQ and a real Postgres, in one run: (a) the raw SDK
// (amqplib) moving N dead letters back to their source with batching — consume with a prefetch
// of one batch, publish the batch on a confirm channel, wait for the confirms, ack the batch —
// and (b) the console's bulk replay of the same N with every safety on: the frozen plan, a
// canary checked for returns, the rate limiter, an intent and an outcome audit row and a
// checkpoint per batch, lease renewal, return checks. Same batch size and concurrency (one lane,
// one batch at the broker at a time) for both. (a') is (a) with a prefetch of two batches, the
// read-ahead the console's replay session uses (the next batch streams in while this one is
// confirmed), so the ratio can be read against either. (c) is the adapter alone (its replay
// session, the same batches), without the bulk layer: how much is the console's safety and how
// much the adapter's stamping, mandatory publishes and per-batch bookkeeping. Prints msg/s of
// each, the ratios, and the peak RSS of each phase.
// Run: npx tsx --conditions=react-server bench/rabbitmq-bulk-replay.ts [count] [batch]
//      (100k: npx tsx --conditions=react-server bench/rabbitmq-bulk-replay.ts 100000 500)
// BENCH_ONLY=console seeds and measures (b) alone, for a memory run at 1M (prints RSS at each
// tenth of the job done): npx tsx --conditions=react-server bench/rabbitmq-bulk-replay.ts 1000000 500
// BENCH_CPU_PROFILE=dir writes a CPU profile of (b) and of (c) there (see bench/profile-summary.ts).
// BENCH_NODELAY=1 turns Nagle off on the bench's own AMQP sockets (the adapter always has it off).
import { randomUUID } from "node:crypto";
import amqp from "amqplib";
import { performance } from "node:perf_hooks";
import { stampHeaders } from "../lib/brokers/rabbitmq/replay";
import { createRabbitFixture, type RabbitFixture } from "../lib/brokers/rabbitmq/test-fixture";
import { bulkReplayBench, heapMeter, itemUpdates, mb, memoryTrace, phaseProfile, repeatRounds, rssMeter, serviceCpu, serviceCpuText, settle, tenthRates, type ServiceCpu } from "./measure";

const COUNT = Number(process.argv[2] ?? 1_000);
const BATCH = Number(process.argv[3] ?? 500);
const SEED_CHUNK = 5_000;
const RAW_STAMP_ID = randomUUID();
const CONSOLE_ONLY = process.env.BENCH_ONLY === "console";
// Time between (b)'s return checks; the default matches the other brokers' benches.
const RETURN_CHECK_MS = Number(process.env.BENCH_RETURN_CHECK_MS ?? 5000);

async function seed(fixture: RabbitFixture): Promise<void> {
  for (let start = 0; start < COUNT; start += SEED_CHUNK) {
    await fixture.deadLetterBulk(
      Array.from({ length: Math.min(SEED_CHUNK, COUNT - start) }, (_, offset) => {
        const n = start + offset;
        return {
          content: Buffer.from(JSON.stringify({ orderId: n, customer: `cust-${n % 97}`, lines: [{ sku: `sku-${n % 13}`, qty: 1 + (n % 4) }] })),
          options: { messageId: `bench-${n}`, contentType: "application/json", persistent: true, headers: { tenant: `t${n % 5}` } },
        };
      }),
    );
  }
}

/**
 * (a) amqplib alone: batches of BATCH, publisher confirms, then one multiple-ack per batch.
 * `stamped` (a''): each copy also carries the console's replay stamp (three headers, rule 3) and
 * is published mandatory (an unroutable copy comes back instead of vanishing), as the adapter's do.
 */
async function rawMove(fixture: RabbitFixture, prefetch = BATCH, stamped = false): Promise<number> {
  const channel = await fixture.model.createConfirmChannel();
  await channel.prefetch(prefetch);
  let moved = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let batch: Parameters<typeof channel.ack>[0][] = [];
    let flushing = Promise.resolve();
    const flush = () => {
      const current = batch;
      batch = [];
      flushing = flushing.then(async () => {
        for (const message of current) {
          const headers = { ...message.properties.headers, "x-death": undefined, ...(stamped ? stampHeaders({ operationId: RAW_STAMP_ID, operator: "bench", replayCount: 1 }) : {}) };
          channel.publish("", fixture.source.id, message.content, { ...message.properties, headers, mandatory: stamped });
        }
        await channel.waitForConfirms();
        channel.ack(current.at(-1)!, true);
        moved += current.length;
        if (moved >= COUNT) resolve();
      }).catch(reject);
    };
    void channel.consume(fixture.dlq.id, (message) => {
      if (!message) return;
      batch.push(message);
      if (batch.length >= BATCH || moved + batch.length >= COUNT) flush();
    });
  });
  const seconds = (performance.now() - started) / 1000;
  await channel.close();
  return COUNT / seconds;
}

/** (c) the adapter alone: consecutive batches, one at a time, in one replay session as a bulk lane uses it. */
async function adapterMove(fixture: RabbitFixture): Promise<number> {
  const session = fixture.adapter.openReplaySession?.(fixture.dlq.id);
  const started = performance.now();
  for (let start = 0; start < COUNT; start += BATCH) {
    const requests = Array.from({ length: Math.min(BATCH, COUNT - start) }, (_, offset) => ({ id: `bench-${start + offset}`, stamp: { operationId: "bench-adapter", operator: "bench", replayCount: 1 } }));
    const outcomes = await (session ? session.replay(requests) : fixture.adapter.replay(fixture.dlq.id, requests));
    if (outcomes.some((outcome) => outcome.status !== "moved")) throw new Error("adapter move: not every message moved");
  }
  await session?.close();
  return COUNT / ((performance.now() - started) / 1000);
}

/** This process's CPU time (user + system) since `start`, per message moved. */
function cpuPerMessage(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / COUNT;
}

async function main(): Promise<void> {
  if (process.env.BENCH_NODELAY === "1") {
    const connect = amqp.connect;
    (amqp as unknown as { connect: typeof connect }).connect = ((url: string, options: object = {}) => connect(url, { ...options, noDelay: true })) as typeof connect;
  }
  const { database, db, disconnect, closeSqlPool, stopJobs, planBulkReplay, getBulkJob, startBulkJob, runBulkJob } = await bulkReplayBench("bench_bulk");
  // The plan reads the whole DLQ in one scan: let the adapter hold all of it.
  const connection = { maxIndexScan: COUNT + 1, maxScan: Math.max(5_000, BATCH * 4) };
  const raw = await createRabbitFixture({ connection });
  const rawAhead = await createRabbitFixture({ connection });
  const rawStamped = await createRabbitFixture({ connection });
  const consoleFixture = await createRabbitFixture({ connection });
  const adapterFixture = await createRabbitFixture({ connection });
  try {
    console.log(`seeding ${COUNT} dead letters ${CONSOLE_ONLY ? "once" : "five times"}...`);
    await seed(consoleFixture);
    let meter = rssMeter();
    let rawRate = NaN;
    let rawRss = NaN;
    let rawAheadRate = NaN;
    let rawStampedRate = NaN;
    let rawStampedServices: ServiceCpu = null;
    let rawCpu = NaN;
    let adapterCpu = NaN;
    let adapterRate = NaN;
    let adapterRss = NaN;
    let rawServices: ServiceCpu = null;
    let adapterServices: ServiceCpu = null;
    // Seconds each phase waited for RabbitMQ and Postgres to go idle first (settle()).
    const settled: string[] = [];
    const settleFor = async (phase: string) => settled.push(`${phase} ${(await settle()).toFixed(1)} s`);
    if (!CONSOLE_ONLY) {
      await seed(raw);
      await seed(rawAhead);
      await seed(rawStamped);
      await seed(adapterFixture);
      await settleFor("(a)");
      meter = rssMeter();
      let cpu = process.cpuUsage();
      let services = serviceCpu();
      rawRate = await rawMove(raw);
      rawCpu = cpuPerMessage(cpu);
      rawServices = services.stop(COUNT);
      rawRss = meter.stop();
      if ((await raw.depth(raw.source.id)) !== COUNT) throw new Error("raw move: the source does not hold every message");
      await settleFor("(a')");
      rawAheadRate = await rawMove(rawAhead, 2 * BATCH);
      if ((await rawAhead.depth(rawAhead.source.id)) !== COUNT) throw new Error("raw move: the source does not hold every message");
      await settleFor("(a'')");
      services = serviceCpu();
      rawStampedRate = await rawMove(rawStamped, BATCH, true);
      rawStampedServices = services.stop(COUNT);
      if ((await rawStamped.depth(rawStamped.source.id)) !== COUNT) throw new Error("raw move: the source does not hold every message");

      if (process.env.BENCH_SCAN_C === "1") {
        // As the plan reads (b)'s DLQ: every message delivered once and requeued, before (c) moves them.
        let scanned = 0;
        for await (const _ of adapterFixture.adapter.scan!(adapterFixture.dlq.id)) scanned++;
        if (scanned !== COUNT) throw new Error(`scan before (c): read ${scanned} of ${COUNT}`);
      }
      await settleFor("(c)");
      meter = rssMeter();
      cpu = process.cpuUsage();
      services = serviceCpu();
      const profile = await phaseProfile("rabbitmq-c-adapter");
      adapterRate = await adapterMove(adapterFixture);
      await profile.stop();
      adapterCpu = cpuPerMessage(cpu);
      adapterServices = services.stop(COUNT);
      adapterRss = meter.stop();
    }

    const actor = { id: "bench", role: "operator" as const, ip: null, userAgent: null };
    const target = { adapter: consoleFixture.adapter, broker: consoleFixture.adapter.name, queueId: consoleFixture.dlq.id, environment: null };
    const policy = {
      ratePerSecond: 100_000, maxRatePerSecond: 100_000, batchSize: BATCH, concurrency: 1, canarySize: 100, canaryWindowMs: 0,
      returnThreshold: 0.05, failureThreshold: 0.1, maxMessages: COUNT, returnScan: 2000, returnCheckMs: RETURN_CHECK_MS, reasonRequiredIn: [],
    };
    meter = rssMeter();
    const planHeap = heapMeter();
    const planStarted = performance.now();
    const ids = Array.from({ length: COUNT }, (_, n) => `bench-${n}`);
    const job = await planBulkReplay(target, actor, { operationId: randomUUID(), selection: { kind: "ids", ids } }, policy);
    const planSeconds = (performance.now() - planStarted) / 1000;
    const planRss = meter.stop();
    const planHeapPeak = planHeap.stop();

    await settleFor("(b)");
    meter = rssMeter();
    const trace = memoryTrace(COUNT, async () => (await db().bulkJob.findUniqueOrThrow({ where: { id: job.id }, select: { done: true } })).done);
    await startBulkJob(job.id, actor);
    const runStarted = performance.now();
    const runCpu = process.cpuUsage();
    const runServices = serviceCpu();
    const profile = await phaseProfile("rabbitmq-b-console");
    await runBulkJob(job.id, { resolveAdapter: () => consoleFixture.adapter, workerId: "bench", leaseMs: 30_000, returnScan: policy.returnScan, returnCheckMs: policy.returnCheckMs });
    await profile.stop();
    const runSeconds = (performance.now() - runStarted) / 1000;
    const consoleCpu = cpuPerMessage(runCpu);
    const consoleServices = runServices.stop(COUNT);
    const runRss = meter.stop();
    const runTrace = await trace.stop();
    const itemWrites = await itemUpdates(db, closeSqlPool);
    const done = await getBulkJob(job.id);
    if (done.status !== "completed" || done.counts.done !== COUNT) throw new Error(`bulk replay ended ${done.status} with ${JSON.stringify(done.counts)}`);
    if ((await consoleFixture.depth(consoleFixture.source.id)) !== COUNT) throw new Error("bulk replay: the source does not hold every message");
    const consoleRate = COUNT / runSeconds;
    const auditRows = await db().auditEntry.count({ where: { operationId: job.id } });

    console.log(`\nRabbitMQ bulk replay, N = ${COUNT}, batch ${BATCH}, 1 lane (loopback)${process.env.BENCH_NODELAY === "1" ? ", adapter socket noDelay" : ""}`);
    if (!CONSOLE_ONLY) {
      console.log(`  (a) raw amqplib, batched confirms:    ${Math.round(rawRate)} msg/s   peak RSS ${mb(rawRss)}   this process's CPU ${rawCpu.toFixed(0)} µs/msg, ${serviceCpuText(rawServices)}`);
      console.log(`  (a') the same, prefetch two batches:  ${Math.round(rawAheadRate)} msg/s   (the read-ahead the console's session uses)`);
      console.log(`  (a'') (a) with the replay stamp, mandatory: ${Math.round(rawStampedRate)} msg/s   (the copies the console must publish, rule 3)   ${serviceCpuText(rawStampedServices)}`);
    }
    console.log(`  (b) console bulk replay, all safety: ${Math.round(consoleRate)} msg/s   peak RSS ${mb(runRss)}   this process's CPU ${consoleCpu.toFixed(0)} µs/msg, ${serviceCpuText(consoleServices)}   (${auditRows} audit rows)`);
    if (!CONSOLE_ONLY) {
      console.log(`  (c) adapter replay() alone:          ${Math.round(adapterRate)} msg/s   peak RSS ${mb(adapterRss)}   this process's CPU ${adapterCpu.toFixed(0)} µs/msg, ${serviceCpuText(adapterServices)}`);
      console.log(`  ratio (b)/(a): ${(consoleRate / rawRate).toFixed(2)}   (b)/(a'): ${(consoleRate / rawAheadRate).toFixed(2)}   (b)/(c): ${(consoleRate / adapterRate).toFixed(2)}   (b)/(a''): ${(consoleRate / rawStampedRate).toFixed(2)}   (a'')/(a): ${(rawStampedRate / rawRate).toFixed(2)}`);
    }
    console.log(`  (b) item row updates: ${itemWrites.updates}, of them HOT (no index entry written): ${itemWrites.hotShare}`);
    console.log(`  (b) after a full GC at each tenth done: heap ${runTrace.map((sample) => mb(sample.heap)).join(", ")}`);
    console.log(`                                           RSS  ${runTrace.map((sample) => mb(sample.rss)).join(", ")}`);
    console.log(`  waited for RabbitMQ and Postgres to go idle before each phase: ${settled.join(", ")}`);
    console.log(`  (b) msg/s in each tenth: ${tenthRates(COUNT, runStarted, runTrace).join(", ")}`);
    console.log(`  plan (freeze ${COUNT} ids + payload hashes, not in (b)): ${planSeconds.toFixed(1)} s   peak RSS ${mb(planRss)}, heap after GC at most ${mb(planHeapPeak)}`);
  } finally {
    await stopJobs(5000);
    await raw.cleanup();
    await rawAhead.cleanup();
    await rawStamped.cleanup();
    await consoleFixture.cleanup();
    await adapterFixture.cleanup();
    await disconnect();
    await database.drop();
  }
}

(async () => ((await repeatRounds()) ? undefined : main()))().then(
  () => {
    // A handle left open would keep the run from ending: name it, then end anyway.
    const open = process.getActiveResourcesInfo().filter((kind) => kind !== "TTYWrap");
    if (open.length > 0) console.error(`open after the run: ${open.join(", ")}`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
