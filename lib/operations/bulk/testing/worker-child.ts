// Child process of the crash test (bulk.test.ts): a whole bulk replay worker (pg-boss + sweeper)
// on the test database with one RabbitMQ adapter. Prints "ready" once it takes jobs; the parent
// SIGKILLs it mid-job and starts another. Run with: node --conditions=react-server --import tsx <this file>
import { createRabbitmqAdapter } from "@/lib/brokers/rabbitmq/index";
import { startBulkReplayWorker } from "../worker";

async function main(): Promise<void> {
  const adapter = createRabbitmqAdapter({ name: process.env.CHILD_BROKER ?? "", connection: { url: process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672" } as never });
  await startBulkReplayWorker({
    resolveAdapter: () => adapter,
    workerId: process.env.CHILD_WORKER_ID,
    leaseMs: Number(process.env.CHILD_LEASE_MS ?? 1500),
    sweepMs: 500,
    returnCheckMs: 60_000,
  });
  process.stdout.write("ready\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`worker child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
