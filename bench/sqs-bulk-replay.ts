// Bulk replay throughput on the in-process SQS emulator the adapter tests use (fauxqs, or
// local-aws-sqs with BENCH_SQS_EMULATOR=local-aws-sqs) and a real Postgres, in one run. Three DLQs,
// each with a source whose RedrivePolicy (maxReceiveCount 1) points at it, are filled the way SQS
// fills them: sent to the source, received twice. Then, for the same N and batch size:
// (a) the raw @aws-sdk/client-sqs alone: ReceiveMessage (10, the SQS maximum) from the DLQ,
//     SendMessageBatch of those to the source, DeleteMessageBatch from the DLQ, and again;
// (b) the console's bulk replay with every safety on (frozen plan timed apart, a 100-message canary
//     checked for returns, the rate limiter set to 100,000 msg/s so it does not bind, audit rows and
//     a checkpoint per batch, lease renewal, a return check every 5 s), one lane;
// (c) the adapter's replay() alone in the same batches.
// What (a) matches: the adapter's replay() works one received batch at a time with one SDK call
// in flight — its sweep receives 10 (all attributes, 300 s hidden), sends their copies (sendCopies
// runs up to 4 SendMessageBatch calls in parallel, but a received batch is at most 10 copies, so
// one call), deletes the sent ones (DeleteMessageBatch, 10 at a time, in series), then receives the
// next 10. So (a) does the same three calls in series, with the same receive parameters; it only
// copies body and attributes (the adapter adds its two attributes, dlc.original-message-id and
// dlc.replay, and resolves the destination from discovery). The batch size applies to (b) and (c).
// Prints msg/s of each, the ratios, peak RSS per phase and the plan time; to say where the time
// goes, also (b)'s seconds in replay() and in the return checks' browse(), replay() per batch
// (the first after a return check apart), and the SDK calls each phase made per 10 messages.
// Run: npx tsx --conditions=react-server bench/sqs-bulk-replay.ts [count] [batch]
//      (defaults 5,000 and 100; 10k: npx tsx --conditions=react-server bench/sqs-bulk-replay.ts 10000 100)
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { AddressInfo } from "node:net";
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { createSqsAdapter } from "../lib/brokers/sqs";
import { bulkReplayBench, mb, repeatRounds, rssMeter } from "./measure";

const COUNT = Number(process.argv[2] ?? 5_000);
const BATCH = Number(process.argv[3] ?? 100);
const EMULATOR = process.env.BENCH_SQS_EMULATOR === "local-aws-sqs" ? "local-aws-sqs" : "fauxqs";
/** Messages sent to a source before they are received into its DLQ. */
const FILL_CHUNK = 500;

const credentials = () => ({ accessKeyId: "test", secretAccessKey: "test" });

/** SDK calls by command, counted for every client (the adapter's too) while a phase runs. */
const sdkCalls = new Map<string, number>();
const send = SQSClient.prototype.send;
SQSClient.prototype.send = function (this: SQSClient, ...args: Parameters<typeof send>) {
  const name = args[0].constructor.name.replace(/Command$/, "");
  sdkCalls.set(name, (sdkCalls.get(name) ?? 0) + 1);
  return send.apply(this, args);
} as typeof send;
/** The calls since the last take, per 10 messages moved, e.g. "ReceiveMessage 1.0, SendMessageBatch 1.0". */
function takeCalls(): string {
  const text = [...sdkCalls].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${((count * 10) / COUNT).toFixed(1)}`).join(", ");
  sdkCalls.clear();
  return text;
}

/**
 * The emulator, started as lib/brokers/sqs/testing/emulators.ts does. Not imported from there:
 * fauxqs exports only an `import` entry, which tsx cannot require from this CommonJS package, so
 * it is loaded with a dynamic import (its astral-character fix is not needed for these bodies).
 */
async function startEmulator(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  if (EMULATOR === "fauxqs") {
    const { startFauxqs } = await import("fauxqs");
    const server = await startFauxqs({ port: 0, logger: false });
    return { endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
  }
  const { createSqsServer } = await import("local-aws-sqs");
  const server = await createSqsServer({ port: 0, hostname: "127.0.0.1" });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

interface RedrivePair {
  readonly dlq: { name: string; url: string };
  readonly source: { name: string; url: string };
}

/** A DLQ and a source whose RedrivePolicy sends a message there on its second receive. */
async function createRedrivePair(client: SQSClient, prefix: string): Promise<RedrivePair> {
  const create = async (name: string, attributes: Record<string, string>) => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const { Attributes = {} } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    return { name, url: QueueUrl!, arn: Attributes.QueueArn! };
  };
  const dlq = await create(`${prefix}-dlq`, { MessageRetentionPeriod: "1209600" });
  const source = await create(`${prefix}-src`, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) });
  return { dlq, source };
}

async function depth(client: SQSClient, url: string): Promise<number> {
  const { Attributes = {} } = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/**
 * Dead-letter N messages through the source, in batches: send, receive and release at once (the
 * first receive), then the next receive is past maxReceiveCount 1 and SQS moves them to the DLQ.
 */
async function fill(client: SQSClient, pair: RedrivePair): Promise<void> {
  for (let start = 0; start < COUNT; start += FILL_CHUNK) {
    const end = Math.min(COUNT, start + FILL_CHUNK);
    for (let first = start; first < end; first += 10) {
      const entries = Array.from({ length: Math.min(10, end - first) }, (_, offset) => {
        const n = first + offset;
        return {
          Id: String(offset),
          MessageBody: JSON.stringify({ orderId: n, customer: `cust-${n % 97}`, lines: [{ sku: `sku-${n % 13}`, qty: 1 + (n % 4) }] }),
          MessageAttributes: {
            ContentType: { DataType: "String", StringValue: "application/json" },
            tenant: { DataType: "String", StringValue: `t${n % 5}` },
            DeadLetterReason: { DataType: "String", StringValue: `Order ${n % 50} not found in catalog` },
          },
        };
      });
      const output = await client.send(new SendMessageBatchCommand({ QueueUrl: pair.source.url, Entries: entries }));
      if ((output.Failed ?? []).length > 0) throw new Error(`fill: the source refused ${output.Failed!.length} messages`);
    }
    // A short poll comes back empty once every message has moved (the depth check below confirms it).
    for (;;) {
      const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: pair.source.url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
      if (Messages.length === 0) break;
      await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: pair.source.url,
          Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      );
    }
  }
  const filled = await depth(client, pair.dlq.url);
  if (filled !== COUNT) throw new Error(`fill: the DLQ ${pair.dlq.name} holds ${filled} messages, not ${COUNT}`);
}

/** (a) the SDK alone: receive 10 from the DLQ, send them to the source in one batch, delete them, one call at a time. */
async function rawMove(client: SQSClient, pair: RedrivePair): Promise<number> {
  let moved = 0;
  const started = performance.now();
  for (let emptyPolls = 0; moved < COUNT; ) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: pair.dlq.url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 300,
        WaitTimeSeconds: emptyPolls > 0 ? 1 : 0,
        AttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) {
      if (++emptyPolls >= 2) throw new Error(`raw move: the DLQ was empty after ${moved}`);
      continue;
    }
    emptyPolls = 0;
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: pair.source.url,
        Entries: Messages.map((message, index) => ({ Id: String(index), MessageBody: message.Body ?? "", MessageAttributes: message.MessageAttributes })),
      }),
    );
    if ((sent.Failed ?? []).length > 0) throw new Error(`raw move: the source refused ${sent.Failed!.length} copies`);
    const deleted = await client.send(
      new DeleteMessageBatchCommand({ QueueUrl: pair.dlq.url, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }),
    );
    if ((deleted.Failed ?? []).length > 0) throw new Error(`raw move: ${deleted.Failed!.length} deletes failed`);
    moved += Messages.length;
  }
  return COUNT / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const { database, db, disconnect, stopJobs, planBulkReplay, getBulkJob, startBulkJob, runBulkJob } = await bulkReplayBench("bench_sqs_bulk");

  const emulator = await startEmulator();
  const client = new SQSClient({ region: "us-east-1", endpoint: emulator.endpoint, credentials: credentials(), useQueueUrlAsEndpoint: false });
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const pairs = {
    raw: await createRedrivePair(client, `${prefix}-raw`),
    console: await createRedrivePair(client, `${prefix}-console`),
    adapter: await createRedrivePair(client, `${prefix}-adapter`),
  };
  // One adapter for (b) and (c), as in the console: it lists the six queues and finds each DLQ's source.
  const adapter = createSqsAdapter({ name: `bench-sqs-${EMULATOR}`, connection: { region: "us-east-1", endpoint: emulator.endpoint, credentials: credentials(), queueNamePrefix: prefix } });
  try {
    console.log(`filling three DLQs with ${COUNT} dead letters through their sources (${EMULATOR})...`);
    const fillStarted = performance.now();
    for (const pair of Object.values(pairs)) await fill(client, pair);
    console.log(`  filled in ${((performance.now() - fillStarted) / 1000).toFixed(0)} s`);

    sdkCalls.clear();
    let meter = rssMeter();
    const rawRate = await rawMove(client, pairs.raw);
    const rawRss = meter.stop();
    const rawCalls = takeCalls();
    if ((await depth(client, pairs.raw.source.url)) !== COUNT) throw new Error("raw move: the source does not hold every message");

    // (c) in the order a whole-DLQ read sees the messages, which is the plan's order in (b).
    const adapterIds: string[] = [];
    for await (const message of adapter.scan(pairs.adapter.dlq.name)) adapterIds.push(message.id);
    sdkCalls.clear();
    meter = rssMeter();
    let started = performance.now();
    for (let start = 0; start < adapterIds.length; start += BATCH) {
      const requests = adapterIds.slice(start, start + BATCH).map((id) => ({ id, stamp: { operationId: "bench-adapter", operator: "bench", replayCount: 1 } }));
      const outcomes = await adapter.replay(pairs.adapter.dlq.name, requests);
      if (outcomes.some((outcome) => outcome.status !== "moved")) throw new Error("adapter move: not every message moved");
    }
    const adapterRate = COUNT / ((performance.now() - started) / 1000);
    const adapterRss = meter.stop();
    const adapterCalls = takeCalls();
    if ((await depth(client, pairs.adapter.source.url)) !== COUNT) throw new Error("adapter move: the source does not hold every message");

    const actor = { id: "bench", role: "operator" as const, ip: null, userAgent: null };
    const target = { adapter, broker: adapter.name, queueId: pairs.console.dlq.name, environment: null };
    const policy = {
      ratePerSecond: 100_000, maxRatePerSecond: 100_000, batchSize: BATCH, concurrency: 1, canarySize: 100, canaryWindowMs: 0,
      returnThreshold: 0.05, failureThreshold: 0.1, maxMessages: COUNT, returnScan: 2000, returnCheckMs: 5000, reasonRequiredIn: [],
    };
    const consoleIds: string[] = [];
    const scanStarted = performance.now();
    for await (const message of adapter.scan(target.queueId)) consoleIds.push(message.id);
    const scanSeconds = (performance.now() - scanStarted) / 1000;
    meter = rssMeter();
    const planStarted = performance.now();
    const job = await planBulkReplay(target, actor, { operationId: randomUUID(), selection: { kind: "ids", ids: consoleIds } }, policy);
    const planSeconds = (performance.now() - planStarted) / 1000;
    const planRss = meter.stop();
    if (job.counts.total !== COUNT) throw new Error(`plan: ${job.counts.total} of ${COUNT} messages frozen`);

    // The same adapter, with the time (b) spends in its replay() and in browse() (the return checks)
    // summed up, and each replay() timed apart when it is the first after a return check.
    const spent = { replay: 0, browse: 0 };
    const batchMs = { afterCheck: [] as number[], other: [] as number[] };
    let checkedSinceReplay = false;
    const timed = <A extends unknown[], R>(key: keyof typeof spent, call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
      const callStarted = performance.now();
      try {
        return await call(...args);
      } finally {
        const ms = performance.now() - callStarted;
        spent[key] += ms / 1000;
        if (key === "browse") checkedSinceReplay = true;
        else {
          batchMs[checkedSinceReplay ? "afterCheck" : "other"].push(ms);
          checkedSinceReplay = false;
        }
      }
    };
    const median = (values: number[]) => (values.length === 0 ? 0 : [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
    const measured = { ...adapter, replay: timed("replay", adapter.replay), browse: timed("browse", adapter.browse) };
    sdkCalls.clear();
    meter = rssMeter();
    await startBulkJob(job.id, actor);
    started = performance.now();
    await runBulkJob(job.id, { resolveAdapter: () => measured, workerId: "bench", leaseMs: 30_000, returnScan: policy.returnScan, returnCheckMs: policy.returnCheckMs });
    const consoleSeconds = (performance.now() - started) / 1000;
    const consoleRate = COUNT / consoleSeconds;
    const runRss = meter.stop();
    const consoleCalls = takeCalls();
    const done = await getBulkJob(job.id);
    if (done.status !== "completed" || done.counts.done !== COUNT) throw new Error(`bulk replay ended ${done.status} with ${JSON.stringify(done.counts)}`);
    if ((await depth(client, pairs.console.source.url)) !== COUNT) throw new Error("bulk replay: the source does not hold every message");
    const auditRows = await db().auditEntry.count({ where: { operationId: job.id } });

    console.log(`\nSQS (${EMULATOR}) bulk replay, N = ${COUNT}, batch ${BATCH}, 1 lane, one SDK call in flight`);
    console.log(`  (a) raw SDK, receive/send/delete 10:  ${Math.round(rawRate)} msg/s   peak RSS ${mb(rawRss)}`);
    console.log(`  (b) console bulk replay, all safety: ${Math.round(consoleRate)} msg/s   peak RSS ${mb(runRss)}   (${auditRows} audit rows)`);
    console.log(`      of its ${consoleSeconds.toFixed(1)} s: replay() ${spent.replay.toFixed(1)} s, return checks (browse) ${spent.browse.toFixed(1)} s, the rest (Postgres, job) ${(consoleSeconds - spent.replay - spent.browse).toFixed(1)} s`);
    console.log(`      replay() per batch: median ${Math.round(median(batchMs.other))} ms; the first after a return check (${batchMs.afterCheck.length}): median ${Math.round(median(batchMs.afterCheck))} ms`);
    console.log(`  (c) adapter replay() alone:          ${Math.round(adapterRate)} msg/s   peak RSS ${mb(adapterRss)}`);
    console.log(`  ratio (b)/(a): ${(consoleRate / rawRate).toFixed(2)}   (b)/(c): ${(consoleRate / adapterRate).toFixed(2)}`);
    console.log(`  SDK calls per 10 messages: (a) ${rawCalls}`);
    console.log(`                             (b) ${consoleCalls}`);
    console.log(`                             (c) ${adapterCalls}`);
    console.log(`  plan (freeze ${COUNT} ids + payload hashes, not in (b)): ${planSeconds.toFixed(1)} s   peak RSS ${mb(planRss)}   (a scan() of the DLQ alone: ${scanSeconds.toFixed(1)} s)`);
  } finally {
    await stopJobs(5000);
    await adapter.close();
    await Promise.all(Object.values(pairs).flatMap((pair) => [pair.source.url, pair.dlq.url]).map((url) => client.send(new DeleteQueueCommand({ QueueUrl: url }))));
    client.destroy();
    await emulator.stop();
    await disconnect();
    await database.drop();
  }
}

(async () => ((await repeatRounds()) ? undefined : main()))().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
