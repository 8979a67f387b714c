// The adapter against the seeded sandbox that `npm run dev` starts: what an operator sees first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_DEAD_LETTERS, startServiceBusSandbox, type ServiceBusSandbox } from "@/sandbox/servicebus/seed";
import { browseAll } from "../testing/contract";
import type { BrokerAdapter } from "../types";
import { createServicebusAdapter } from "./index";

describe("servicebus adapter on the seeded sandbox", () => {
  let sandbox: ServiceBusSandbox;
  let adapter: BrokerAdapter;
  beforeAll(async () => {
    sandbox = await startServiceBusSandbox();
    adapter = createServicebusAdapter(sandbox.broker);
  });
  afterAll(async () => {
    await adapter?.close();
    await sandbox?.stop();
  });

  it("lists every seeded DLQ with its depth, and browses each to the end with reasons", async () => {
    const queues = await adapter.listDeadLetterQueues();
    for (const [id, depth] of Object.entries(SANDBOX_DEAD_LETTERS)) {
      expect(queues.find((queue) => queue.id === id)?.depth, id).toBe(depth);
      const messages = await browseAll(adapter, id, 4);
      expect(messages, id).toHaveLength(depth);
      for (const message of messages) expect(message.failure.reason, `${id} ${message.messageId}`).toBeTruthy();
    }
    expect(queues.find((queue) => queue.id === "payments/$DeadLetterQueue")).toMatchObject({ ordered: true, maxDeliveryCount: 5 });
  });

  it("keeps the binary poison message's bytes and shows its attempts against the cap", async () => {
    const messages = await browseAll(adapter, "orders/$DeadLetterQueue");
    const binary = messages.find((message) => message.messageId === "ord-10202")!;
    expect(Buffer.from(binary.body).equals(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]))).toBe(true);
    expect(binary).toMatchObject({ failure: { reason: "MaxDeliveryCountExceeded" }, attempts: { count: 3, cap: 3 } });
    expect(messages.filter((message) => message.failure.reason === "TTLExpiredException")).toHaveLength(2);
  });

  it("previews the portal's foot-gun: a billing replay through the topic would also reach audit", async () => {
    const [invoice] = await browseAll(adapter, "events/Subscriptions/billing/$DeadLetterQueue");
    const route = await adapter.routeReplay!("events/Subscriptions/billing/$DeadLetterQueue", invoice!);
    expect(route.receivers.map((receiver) => receiver.id)).toEqual(["events/Subscriptions/billing", "events/Subscriptions/audit"]);
    expect(route.blocked).toMatch(/audit.*allowFanOut/);
  });
});
