// Child process of the fault test (fault.test.ts): builds the adapter, connects, prints "ready",
// replays the given messages through lib/operations, prints "done". The parent SIGKILLs it at a
// random moment in between. Run with: node --conditions=react-server --import tsx <this file>
import type { RabbitmqOptions } from "@/lib/brokers/rabbitmq/options";
import type { SqsOptions } from "@/lib/brokers/sqs/options";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { db } from "@/lib/db/client";
import { replayMessages } from "../replay";

interface ChildInput {
  readonly broker: { kind: "rabbitmq" | "sqs"; name: string; connection: Record<string, unknown> };
  readonly queueId: string;
  readonly ids: string[];
  readonly operationId: string;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env.FAULT_CHILD_INPUT ?? "") as ChildInput;
  const { broker } = input;
  // Load only the one broker's SDK: start-up time is most of each run.
  const adapter: BrokerAdapter =
    broker.kind === "rabbitmq"
      ? (await import("@/lib/brokers/rabbitmq/index")).createRabbitmqAdapter({ name: broker.name, connection: broker.connection as RabbitmqOptions })
      : (await import("@/lib/brokers/sqs/index")).createSqsAdapter({ name: broker.name, connection: broker.connection as SqsOptions });
  // Connect everything first, so the kill window covers the operation, not start-up.
  await adapter.browse(input.queueId, { limit: 1 });
  await db().$queryRaw`SELECT 1`;
  process.stdout.write("ready\n");
  const target = { adapter, broker: broker.name, queueId: input.queueId, environment: null };
  const actor = { id: "fault-test", role: "admin" as const, ip: null, userAgent: null };
  const result = await replayMessages(target, actor, { operationId: input.operationId, ids: input.ids }, { reasonRequiredIn: [] });
  process.stdout.write(`done ${JSON.stringify(result.operation.result?.outcomes.map((outcome) => outcome.status))}\n`);
  await adapter.close();
  await db().$disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
