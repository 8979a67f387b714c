// The SQS sandbox starts, and the adapter finds both seeded DLQs with their sources and depth.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqsAdapter, type SqsAdapter } from "@/lib/brokers/sqs";
import { sqsOptionsSchema } from "@/lib/brokers/sqs/options";
import { browseAll, eventually } from "@/lib/brokers/testing/contract";
import { SANDBOX_DEAD_LETTERS, startSqsSandbox, type SqsSandbox } from "./seed";

describe("SQS sandbox", () => {
  let sandbox: SqsSandbox;
  let adapter: SqsAdapter;

  beforeAll(async () => {
    sandbox = await startSqsSandbox();
    adapter = createSqsAdapter({ name: sandbox.broker.name, connection: sandbox.broker.connection });
  });
  afterAll(async () => {
    await adapter?.close();
    await sandbox?.stop();
  });

  it("serves on loopback with a connection the brokers file accepts", () => {
    expect(new URL(sandbox.broker.connection.endpoint).hostname).toBe("127.0.0.1");
    expect(sqsOptionsSchema.safeParse(sandbox.broker.connection).success).toBe(true);
  });

  it("has a standard and a FIFO DLQ with their sources and the seeded depth", async () => {
    const queues = await eventually(
      () => adapter.listDeadLetterQueues(),
      (found) => {
        expect(found.map((queue) => [queue.id, queue.depth])).toEqual([
          ["audit-events-dlq", 0],
          ["orders-dlq", SANDBOX_DEAD_LETTERS["orders-dlq"]],
          ["payments-dlq.fifo", SANDBOX_DEAD_LETTERS["payments-dlq.fifo"]],
        ]);
      },
    );
    const [, orders, payments] = queues;
    expect(orders!.sources.map((source) => source.id).sort()).toEqual(["orders", "orders-priority"]);
    expect(orders!.ordered).toBe(false);
    expect(orders!.maxDeliveryCount).toBe(5);
    expect(payments!.sources.map((source) => source.id)).toEqual(["payments.fifo"]);
    expect(payments!.ordered).toBe(true);
    expect(payments!.details.queueType).toBe("FIFO");
  });

  it("seeds dead letters with reasons, sources and a poison body", async () => {
    const messages = await browseAll(adapter, "orders-dlq");
    expect(messages).toHaveLength(SANDBOX_DEAD_LETTERS["orders-dlq"]);
    expect(new Set(messages.map((message) => message.source?.id))).toEqual(new Set(["orders", "orders-priority"]));
    expect(messages.filter((message) => message.failure.reason?.startsWith("ValidationError")).length).toBeGreaterThanOrEqual(3);
    const poison = messages.find((message) => message.failure.reason?.startsWith("SyntaxError"));
    expect(() => JSON.parse(new TextDecoder().decode(poison!.body))).toThrow(SyntaxError);
    const fifo = (await adapter.browse("payments-dlq.fifo", { limit: 50 })).messages;
    expect(new Set(fifo.map((message) => message.partitionKey))).toEqual(new Set(["cus-017", "cus-042", "cus-099"]));
  });
});
