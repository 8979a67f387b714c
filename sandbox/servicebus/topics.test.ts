// Topics through the real SDK: fan-out to subscriptions by true and correlation filters, rules
// listed by the rule manager and the admin client, subscription DLQs, sessions, forwarding.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep, startHarness, type Harness } from "./test-helpers";

describe("Service Bus emulator: topics and sessions", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      queues: [
        { name: "sessions", requiresSession: true, lockDurationMs: 5000 },
        { name: "inbox" },
        { name: "relay", forwardTo: "inbox" },
        { name: "broken-relay", forwardTo: "missing" },
      ],
      topics: [{
        name: "events",
        subscriptions: [
          { name: "all" },
          { name: "invoices", rules: [{ name: "only-invoices", filter: { type: "correlation", subject: "invoice", applicationProperties: { region: "eu" } } }] },
          { name: "nothing", rules: [{ name: "none", filter: { type: "false" } }] },
        ],
      }],
    });
  });
  afterAll(async () => h?.close());

  it("fans out to subscriptions whose rules match", async () => {
    const sender = h.client.createSender("events");
    await sender.sendMessages([
      { body: "inv-1", subject: "invoice", applicationProperties: { region: "eu" } },
      { body: "inv-2", subject: "invoice", applicationProperties: { region: "us" } },
      { body: "login", subject: "user.login" },
    ]);
    const all = await h.client.createReceiver("events", "all").peekMessages(10);
    const invoices = await h.client.createReceiver("events", "invoices").peekMessages(10);
    const nothing = await h.client.createReceiver("events", "nothing").peekMessages(10);
    expect(all.map((m) => m.body)).toEqual(["inv-1", "inv-2", "login"]);
    expect(invoices.map((m) => m.body)).toEqual(["inv-1"]);
    expect(nothing).toEqual([]);
    await sender.close();
  });

  it("dead-letters from a subscription into its own DLQ", async () => {
    const receiver = h.client.createReceiver("events", "invoices");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    await receiver.deadLetterMessage(message!, { deadLetterReason: "TaxServiceTimeout", deadLetterErrorDescription: "after 3000 ms" });
    const dead = await h.client.createReceiver("events", "invoices", { subQueueType: "deadLetter" }).peekMessages(5);
    expect(dead.map((m) => [m.body, m.deadLetterReason, m.deadLetterSource])).toEqual([["inv-1", "TaxServiceTimeout", "events/Subscriptions/invoices"]]);
    const runtime = await h.admin.getSubscriptionRuntimeProperties("events", "invoices");
    expect(runtime.deadLetterMessageCount).toBe(1);
    expect(runtime.activeMessageCount).toBe(0);
    await receiver.close();
  });

  it("lists rules through the rule manager (AMQP) and the admin client (ATOM)", async () => {
    const manager = h.client.createRuleManager("events", "invoices");
    const rules = [];
    for await (const rule of manager.listRules()) rules.push(rule);
    expect(rules).toEqual([{
      name: "only-invoices",
      filter: expect.objectContaining({ subject: "invoice", applicationProperties: { region: "eu" } }),
      action: {},
    }]);
    const defaults = [];
    for await (const rule of h.client.createRuleManager("events", "all").listRules()) defaults.push(rule);
    expect(defaults.map((r) => [r.name, (r.filter as { sqlExpression?: string }).sqlExpression])).toEqual([["$Default", "1=1"]]);
    const viaAdmin = [];
    for await (const rule of h.admin.listRules("events", "invoices")) viaAdmin.push(rule);
    expect(viaAdmin.map((r) => r.name)).toEqual(["only-invoices"]);
    expect(viaAdmin[0]!.filter).toMatchObject({ subject: "invoice", applicationProperties: { region: "eu" } });
  });

  it("lists topics and subscriptions with settings", async () => {
    const topics = [];
    for await (const topic of h.admin.listTopics()) topics.push(topic.name);
    expect(topics).toEqual(["events"]);
    const subs = [];
    for await (const sub of h.admin.listSubscriptions("events")) subs.push(sub);
    expect(subs.map((s) => [s.subscriptionName, s.maxDeliveryCount, s.requiresSession])).toEqual([
      ["all", 10, false], ["invoices", 10, false], ["nothing", 10, false],
    ]);
    const page = await h.admin.listSubscriptions("events").byPage({ maxPageSize: 2 }).next();
    expect(page.value).toHaveLength(2);
    expect((await h.admin.getQueue("sessions")).requiresSession).toBe(true);
  });

  it("locks sessions: a named session, the next available one, and refuses a held one", async () => {
    const sender = h.client.createSender("sessions");
    await sender.sendMessages([
      { body: "a1", sessionId: "a" }, { body: "b1", sessionId: "b" }, { body: "a2", sessionId: "a" },
    ]);
    const a = await h.client.acceptSession("sessions", "a");
    expect(a.sessionLockedUntilUtc!.getTime()).toBeGreaterThan(Date.now());
    const fromA = await a.receiveMessages(5, { maxWaitTimeInMs: 500 });
    expect(fromA.map((m) => m.body)).toEqual(["a1", "a2"]);
    await expect(h.client.acceptSession("sessions", "a")).rejects.toMatchObject({ code: "SessionCannotBeLocked" });
    const next = await h.client.acceptNextSession("sessions");
    expect(next.sessionId).toBe("b");
    await a.setSessionState("step-2");
    expect(await a.getSessionState()).toBe("step-2");
    const renewed = await a.renewSessionLock();
    expect(renewed.getTime()).toBeGreaterThan(Date.now());
    for (const m of fromA) await a.completeMessage(m);
    const [b1] = await next.receiveMessages(1, { maxWaitTimeInMs: 500 });
    await next.deadLetterMessage(b1!, { deadLetterReason: "PaymentDeclined", deadLetterErrorDescription: "code 05" });
    const dead = await h.client.createReceiver("sessions", { subQueueType: "deadLetter" }).peekMessages(5);
    expect(dead.map((m) => [m.sessionId, m.deadLetterReason])).toEqual([["b", "PaymentDeclined"]]);
    await Promise.all([a.close(), next.close(), sender.close()]);
    await expect(h.client.acceptNextSession("sessions", { maxAutoLockRenewalDurationInMs: 0 })).rejects.toMatchObject({ code: "SessionCannotBeLocked" });
  });

  it("forwards a queue's messages to its forwardTo target", async () => {
    await h.client.createSender("relay").sendMessages({ body: "hop" });
    expect((await h.client.createReceiver("inbox").peekMessages(5)).map((m) => m.body)).toEqual(["hop"]);
    expect(await h.client.createReceiver("relay").peekMessages(5)).toEqual([]);
  });

  it("parks a message it cannot forward in the transfer dead-letter queue", async () => {
    await h.client.createSender("broken-relay").sendMessages({ body: "lost?" });
    const runtime = await h.admin.getQueueRuntimeProperties("broken-relay");
    expect(runtime.transferDeadLetterMessageCount).toBe(1);
    expect(runtime.deadLetterMessageCount).toBe(0);
    const parked = await h.client.createReceiver("broken-relay", { subQueueType: "transferDeadLetter" }).peekMessages(5);
    expect(parked.map((m) => [m.body, m.deadLetterReason])).toEqual([["lost?", "MessagingEntityNotFound"]]);
  });

  it("holds a topic's scheduled message on the topic, then fans it out", async () => {
    const sender = h.client.createSender("events");
    await sender.scheduleMessages({ body: "timed", subject: "invoice", applicationProperties: { region: "eu" } }, new Date(Date.now() + 300));
    expect((await h.admin.getTopicRuntimeProperties("events")).scheduledMessageCount).toBe(1);
    // Peeks continue per entity path from the last peeked number: this one reads to the end...
    const subscription = h.client.createReceiver("events", "invoices");
    await subscription.peekMessages(100);
    expect(await subscription.peekMessages(10)).toEqual([]);
    await sleep(500);
    // ...so this one sees only what arrived since: the scheduled message, fanned out when due.
    expect((await subscription.peekMessages(10)).map((m) => m.body)).toEqual(["timed"]);
    expect((await h.admin.getTopicRuntimeProperties("events")).scheduledMessageCount).toBe(0);
    await sender.close();
  });

  it("peeks one session's messages and lists sessions", async () => {
    await h.client.createSender("sessions").sendMessages([{ body: "c1", sessionId: "c" }, { body: "d1", sessionId: "d" }]);
    const c = await h.client.acceptSession("sessions", "c");
    expect((await c.peekMessages(10)).map((m) => m.body)).toEqual(["c1"]);
    await c.close();
  });

  it("refuses senders to a subscription or a DLQ", async () => {
    await expect(h.client.createSender("events/Subscriptions/all").sendMessages({ body: 1 })).rejects.toThrow(/send to its topic/);
    await expect(h.client.createSender("inbox/$DeadLetterQueue").sendMessages({ body: 1 })).rejects.toMatchObject({ code: "MessagingEntityNotFound" });
  });

  it("adds and removes correlation rules through the rule manager, and routes by them at once", async () => {
    const manager = h.client.createRuleManager("events", "nothing");
    await manager.createRule("eu-only", { applicationProperties: { region: "eu" }, subject: "invoice" });
    await expect(manager.createRule("eu-only", { subject: "x" })).rejects.toMatchObject({ code: "MessagingEntityAlreadyExists" });
    await expect(manager.createRule("sql", { sqlExpression: "user.region = 'eu'" })).rejects.toThrow(/SQL/);
    const names = [];
    for await (const rule of manager.listRules()) names.push(rule.name);
    expect(names).toEqual(["none", "eu-only"]);
    await h.client.createSender("events").sendMessages({ body: "ruled", subject: "invoice", applicationProperties: { region: "eu" } });
    const receiver = h.client.createReceiver("events", "nothing");
    expect((await receiver.peekMessages(10)).map((m) => m.body)).toEqual(["ruled"]);
    await manager.deleteRule("eu-only");
    expect((await h.admin.listRules("events", "nothing").next()).value?.name).toBe("none");
    await receiver.close();
  });
});
