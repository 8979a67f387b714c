// The peek-lock search behind replay and remove, on the emulator with a short lock: held targets
// keep their locks while the caller works (renewal), the others go back at once, and the renewal
// budget (lockRenewalMaxMs) is what lets a lock lapse.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browseAll } from "../testing/contract";
import { requireDlq } from "./address";
import { ServicebusConnection } from "./client";
import { withLocated } from "./locks";
import { ServicebusDiscovery } from "./discovery";
import { servicebusOptionsSchema } from "./options";
import { createServicebusFixture, type ServicebusFixture } from "./test-fixture";

const utf8 = (text: string) => Buffer.from(text, "utf8");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("servicebus lock handling on the emulator", () => {
  let f: ServicebusFixture;
  beforeAll(async () => {
    f = await createServicebusFixture({ queues: [{ name: "short", lockDurationMs: 600 }] });
    await f.deadLetter("short", "short", ["k1", "k2", "k3", "k4"].map((id) => ({ body: utf8(id), messageId: id })));
  });
  afterAll(async () => f?.cleanup());

  function context(lockRenewalMaxMs: number) {
    const connection = new ServicebusConnection("locks-test", servicebusOptionsSchema.parse({
      connectionString: f.emulator.connectionString, lockRenewalMaxMs, receiveWaitMs: 300,
    }));
    return { connection, discovery: new ServicebusDiscovery(connection) };
  }

  it("renews the targets' locks while the caller works, and hands the others back first", async () => {
    const dead = await browseAll(f.adapter, "short/$DeadLetterQueue");
    const target = dead[2]!; // k3: k1 and k2 come first and must be handed back
    const ctx = context(60_000);
    try {
      await withLocated(ctx, requireDlq("locks-test", "short/$DeadLetterQueue"), [target.id], async (located) => {
        expect([...located.found.keys()]).toEqual([target.id]);
        // The others are available again at once: another receiver gets k1 while we hold k3.
        const other = f.client.createReceiver("short", { subQueueType: "deadLetter" });
        const [first] = await other.receiveMessages(1, { maxWaitTimeInMs: 1000 });
        expect(first?.messageId).toBe("k1");
        await other.abandonMessage(first!);
        await other.close();
        await sleep(1500); // well past the 600 ms lock
        const message = located.found.get(target.id)!;
        await located.receiver.completeMessage(message);
        located.settled(target.id);
      });
    } finally {
      await ctx.connection.close();
    }
    expect((await f.peekAll("short", "deadLetter")).map((m) => m.messageId)).toEqual(["k1", "k2", "k4"]);
  });

  it("lets a lock lapse once the renewal budget is spent; the message stays", async () => {
    const dead = await browseAll(f.adapter, "short/$DeadLetterQueue");
    const target = dead.find((message) => message.messageId === "k4")!;
    const ctx = context(0);
    try {
      const error = await withLocated(ctx, requireDlq("locks-test", "short/$DeadLetterQueue"), [target.id], async (located) => {
        await sleep(1000);
        return located.receiver.completeMessage(located.found.get(target.id)!).then(() => null, (caught: unknown) => caught);
      });
      expect(error).toMatchObject({ code: "MessageLockLost" });
    } finally {
      await ctx.connection.close();
    }
    expect((await f.peekAll("short", "deadLetter")).map((m) => m.messageId)).toEqual(["k1", "k2", "k4"]);
  });

  it("reports a target another receiver holds as failed, not as gone", async () => {
    const other = f.client.createReceiver("short", { subQueueType: "deadLetter" }); // the SDK renews its lock
    const [held] = await other.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(held?.messageId).toBe("k1");
    try {
      const [outcome] = await f.adapter.remove("short/$DeadLetterQueue", [held!.sequenceNumber!.toString()]);
      expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(/another receiver has it locked/) });
    } finally {
      await other.abandonMessage(held!);
      await other.close();
    }
    expect((await f.peekAll("short", "deadLetter")).map((m) => m.messageId)).toEqual(["k1", "k2", "k4"]);
  });
});
