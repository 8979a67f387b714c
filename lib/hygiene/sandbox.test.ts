// The sandbox that `npm run dev` starts carries deliberate configuration mistakes, so a newcomer
// sees the hygiene page at work: each broker's checks find exactly those, and nothing else.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { createRabbitmqAdapter } from "@/lib/brokers/rabbitmq";
import type { RabbitmqOptions } from "@/lib/brokers/rabbitmq/options";
import { createServicebusAdapter } from "@/lib/brokers/servicebus";
import { createSqsAdapter } from "@/lib/brokers/sqs";
import { startRabbitmqSandbox } from "@/sandbox/rabbitmq/seed";
import { startServiceBusSandbox } from "@/sandbox/servicebus/seed";
import { startSqsSandbox } from "@/sandbox/sqs/seed";
import { checkQueues } from "./checks";

const VHOST = `dlqc-hygiene-sandbox-${randomUUID().slice(0, 8)}`;

describe("hygiene on the seeded sandbox", () => {
  const stops: Array<() => Promise<void>> = [];
  const adapters: Record<"rabbitmq" | "sqs" | "servicebus", BrokerAdapter> = {} as never;

  beforeAll(async () => {
    const [rabbit, sqs, servicebus] = await Promise.all([startRabbitmqSandbox({ vhost: VHOST }), startSqsSandbox(), startServiceBusSandbox()]);
    stops.push(sqs.stop, servicebus.stop);
    adapters.rabbitmq = createRabbitmqAdapter({ name: rabbit.broker.name, connection: rabbit.broker.connection as RabbitmqOptions });
    adapters.sqs = createSqsAdapter({ name: sqs.broker.name, connection: sqs.broker.connection });
    adapters.servicebus = createServicebusAdapter({ name: servicebus.broker.name, connection: servicebus.broker.connection });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(Object.values(adapters).map((adapter) => adapter.close()));
    await Promise.all(stops.map((stop) => stop()));
    await fetch(`http://127.0.0.1:15672/api/vhosts/${encodeURIComponent(VHOST)}`, {
      method: "DELETE",
      headers: { Authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` },
    });
  });

  const findings = async (kind: keyof typeof adapters) =>
    checkQueues(kind, await adapters[kind].listQueueSettings!()).map((finding) => `${finding.queue.id}:${finding.code}`).sort();

  it("RabbitMQ: a queue with no dead-letter path and one whose dead letters route nowhere", async () => {
    expect(await findings("rabbitmq")).toEqual(["invoices.render:dead-letter-routes-nowhere", "notifications.email:no-dead-letter-path"]);
  });

  it("SQS: a queue with no DLQ, a cap of one, and a DLQ that forgets sooner than its source", async () => {
    expect(await findings("sqs")).toEqual(["audit-events-dlq:dlq-retention-shorter", "audit-events:delivery-cap-one", "notifications:no-dead-letter-path"]);
  });

  it("Service Bus: expired messages dropped, and a cap of 50", async () => {
    expect(await findings("servicebus")).toEqual(["notifications:expired-messages-dropped", "shipments:delivery-cap-high"]);
  });
});
