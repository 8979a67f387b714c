// The queue view's first page on a DLQ of 10,000 dead letters (real RabbitMQ, real Postgres): what
// the API does for it live (adapter.browse of one page) and from the message index (queryIndex of
// one page with its failure groups and total, plus the JSON the route sends). Prints medians and
// the index's time as a ratio of the live read measured in the same run.
// Run: npx tsx --conditions=react-server bench/queue-first-page.ts [count]
import { performance } from "node:perf_hooks";
import { createRabbitFixture } from "../lib/brokers/rabbitmq/test-fixture";
import { migrateDatabase } from "../lib/db/migrate";
import { createTestDatabase } from "../lib/db/test-database";

const COUNT = Number(process.argv[2] ?? 10_000);
const PAGE = 200;
const RUNS = 15;

const FAILURES = [
  (n: number) => `Order ${n} not found in catalog`,
  (n: number) => `Timeout calling inventory-service after ${1000 + (n % 40) * 250}ms`,
  (n: number) => `Invalid currency "X${n % 7}" for order ${n}`,
];

async function median(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
  const database = await createTestDatabase("bench");
  await migrateDatabase(database.url);
  process.env.DATABASE_URL = database.url;
  // Imported after DATABASE_URL is set: the config is read once, on first use.
  const { db } = await import("../lib/db/client");
  const { refreshIndex } = await import("../lib/triage/message-index");
  const { NO_FILTER, queryIndex } = await import("../lib/triage/index-query");
  const fixture = await createRabbitFixture({});
  try {
    for (let start = 0; start < COUNT; start += 1_000) {
      await fixture.deadLetterBulk(
        Array.from({ length: Math.min(1_000, COUNT - start) }, (_, offset) => {
          const n = start + offset;
          return {
            content: Buffer.from(JSON.stringify({ orderId: n, customer: `cust-${n % 97}`, lines: [{ sku: `sku-${n % 13}`, qty: 1 + (n % 4) }] })),
            options: { messageId: `order-${n}`, contentType: "application/json", headers: { "x-exception-message": FAILURES[n % 3]!(n), tenant: `t${n % 5}` } },
          };
        }),
      );
    }
    const queue = fixture.dlq.id;
    const broker = fixture.adapter.name;
    console.log(`DLQ ${queue}: ${await fixture.depth(queue)} dead letters`);

    const live = await median(5, () => fixture.adapter.browse(queue, { limit: PAGE }));
    let started = performance.now();
    await refreshIndex(fixture.adapter, queue);
    const refreshMs = performance.now() - started;

    const page = (filter: typeof NO_FILTER) => async () => JSON.stringify(await queryIndex(broker, queue, filter, { cursor: null, limit: PAGE }));
    const first = await queryIndex(broker, queue, NO_FILTER, { cursor: null, limit: PAGE });
    const indexFirst = await median(RUNS, page(NO_FILTER));
    const indexSearch = await median(RUNS, page({ ...NO_FILTER, text: "cust-42" }));
    const indexGroup = await median(RUNS, page({ ...NO_FILTER, group: first.groups[0]!.id }));
    started = performance.now();
    await queryIndex(broker, queue, NO_FILTER, { cursor: 9_000, limit: PAGE });
    const deepPage = performance.now() - started;

    const row = (label: string, ms: number) => console.log(`${label.padEnd(46)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / live).toFixed(3)} × live`);
    console.log(`\nfirst page of ${PAGE}, median of ${RUNS} (baseline: the live read, ${live.toFixed(1)} ms = 1.000 ×)`);
    row("live: adapter.browse (get + requeue)", live);
    row("index: first page + groups + total + JSON", indexFirst);
    row("index: search 'cust-42'", indexSearch);
    row(`index: one failure group (${first.groups[0]!.count})`, indexGroup);
    row("index: page at position 9,000", deepPage);
    console.log(`\nindex refresh of ${first.total} messages: ${(refreshMs / 1000).toFixed(1)} s (${Math.round(first.total / (refreshMs / 1000))} messages/s)`);
    console.log(`${first.groups.length} distinct failures among ${first.total} dead letters`);
    await db().$disconnect();
  } finally {
    await fixture.cleanup();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
