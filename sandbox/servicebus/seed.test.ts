// The sandbox starts, and its dead letters are visible through the real SDK and the admin endpoint.
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_DEAD_LETTERS, startServiceBusSandbox, type ServiceBusSandbox } from "./seed";
import { emulatorAdminClient } from "./test-helpers";

describe("Service Bus sandbox", () => {
  let sandbox: ServiceBusSandbox;
  let client: ServiceBusClient;
  beforeAll(async () => {
    sandbox = await startServiceBusSandbox();
    client = new ServiceBusClient(sandbox.broker.connection.connectionString);
  });
  afterAll(async () => {
    await client?.close();
    await sandbox?.stop();
  });

  it("serves AMQP and the admin endpoint on the connection string's port", () => {
    const port = /Endpoint=sb:\/\/localhost:(\d+)/.exec(sandbox.broker.connection.connectionString)![1];
    expect(sandbox.adminUrl).toBe(`http://localhost:${port}/`);
    expect(sandbox.broker.connection.connectionString).toContain("UseDevelopmentEmulator=true");
  });

  it("reports the seeded dead-letter counts through the admin client", async () => {
    const admin = emulatorAdminClient(sandbox.broker.connection.connectionString);
    expect((await admin.getQueueRuntimeProperties("orders")).deadLetterMessageCount).toBe(SANDBOX_DEAD_LETTERS["orders/$DeadLetterQueue"]);
    expect((await admin.getQueueRuntimeProperties("payments")).deadLetterMessageCount).toBe(SANDBOX_DEAD_LETTERS["payments/$DeadLetterQueue"]);
    expect((await admin.getQueue("payments")).requiresSession).toBe(true);
    const subs = [];
    for await (const sub of admin.listSubscriptionsRuntimeProperties("events")) subs.push(sub);
    expect(Object.fromEntries(subs.map((s) => [s.subscriptionName, s.deadLetterMessageCount]))).toEqual({ billing: 2, audit: 1 });
  });

  it("seeds realistic reasons and bodies", async () => {
    const dead = await client.createReceiver("orders", { subQueueType: "deadLetter" }).peekMessages(50);
    const reasons = dead.map((m) => m.deadLetterReason);
    expect(reasons.filter((r) => r === "ValidationError")).toHaveLength(4);
    expect(reasons.filter((r) => r === "MaxDeliveryCountExceeded")).toHaveLength(3);
    expect(reasons.filter((r) => r === "TTLExpiredException")).toHaveLength(2);
    expect(dead.some((m) => Buffer.isBuffer(m.body))).toBe(true);
    expect(dead.some((m) => typeof m.body === "object" && !Buffer.isBuffer(m.body))).toBe(true);
    expect(dead.every((m) => m.deadLetterSource === "orders")).toBe(true);
    const payments = await client.createReceiver("payments", { subQueueType: "deadLetter" }).peekMessages(50);
    expect(new Set(payments.map((m) => m.sessionId))).toEqual(new Set(["cus-017", "cus-042"]));
    expect(payments[0]!.deadLetterErrorDescription).toMatch(/declined payment pay-cus-017-1/);
  });
});
