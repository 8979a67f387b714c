// The sandbox seed against the real RabbitMQ: the adapter discovers its DLQ with the expected depth.
import { afterAll, describe, expect, it } from "vitest";
import { createRabbitmqAdapter } from "@/lib/brokers/rabbitmq";
import type { RabbitmqOptions } from "@/lib/brokers/rabbitmq/options";
import { browseAll } from "@/lib/brokers/testing/contract";
import { SANDBOX_DEAD_LETTERS, SANDBOX_QUEUES, startRabbitmqSandbox } from "./seed";

const vhost = `dlq-sandbox-test-${process.pid}`;
const auth = `Basic ${Buffer.from("guest:guest").toString("base64")}`;

describe("rabbitmq sandbox seed", () => {
  afterAll(async () => {
    await fetch(`http://127.0.0.1:15672/api/vhosts/${encodeURIComponent(vhost)}`, { method: "DELETE", headers: { authorization: auth } });
  });

  it("seeds a DLQ the adapter discovers with every reason, twice over without piling up", async () => {
    await (await startRabbitmqSandbox({ vhost })).stop();
    const sandbox = await startRabbitmqSandbox({ vhost }); // idempotent: same state again
    const adapter = createRabbitmqAdapter({ name: sandbox.broker.name, connection: sandbox.broker.connection as RabbitmqOptions });
    try {
      const queues = await adapter.listDeadLetterQueues();
      const dlq = queues.find((queue) => queue.id === SANDBOX_QUEUES.dlq);
      expect(dlq?.depth).toBe(SANDBOX_DEAD_LETTERS);
      expect(dlq?.sources.map((source) => source.id).sort()).toEqual([SANDBOX_QUEUES.orders, SANDBOX_QUEUES.payments].sort());
      const reasons = new Set((await browseAll(adapter, SANDBOX_QUEUES.dlq)).map((message) => message.failure.reason));
      expect([...reasons].sort()).toEqual(["expired", "maxlen", "rejected"]);
    } finally {
      await adapter.close();
      await sandbox.stop();
    }
  });

  it("says plainly when RabbitMQ's management API is unreachable", async () => {
    await expect(startRabbitmqSandbox({ vhost, managementUrl: "http://127.0.0.1:1" })).rejects.toThrow(/management API .* unreachable/);
  });
});
