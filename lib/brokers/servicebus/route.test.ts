// Replay routing on the emulator: the receivers routeReplay previews (rules evaluated), explicit
// destinations, and the addReplayRules consent that lets a replay reach a subscription whose rules
// changed. Each replay is checked through the SDK: who holds a copy, what the DLQ still holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browseAll } from "../testing/contract";
import { createServicebusAdapter, REPLAY_RULE_NAME, REPLAY_TARGET_PROPERTY } from "./index";
import { ruleMatches } from "./route";
import { createServicebusFixture, type ServicebusFixture } from "./test-fixture";

const stamp = { operationId: "op-route", operator: "bob@example.com", replayCount: 1 };
const utf8 = (text: string) => Buffer.from(text, "utf8");
const DLQ = "events/Subscriptions/billing/$DeadLetterQueue";

describe("servicebus replay routing on the emulator", () => {
  let f: ServicebusFixture;
  beforeAll(async () => {
    f = await createServicebusFixture({
      queues: [{ name: "manual" }],
      topics: [
        {
          name: "events",
          subscriptions: [
            { name: "billing", rules: [{ name: "invoices", filter: { type: "correlation", subject: "invoice" } }] },
            { name: "shipping", rules: [{ name: "shipments", filter: { type: "correlation", subject: "shipment" } }] },
            { name: "eu-invoices", rules: [{ name: "eu", filter: { type: "correlation", subject: "invoice", applicationProperties: { region: "eu" } } }] },
          ],
        },
      ],
    });
    await f.deadLetter("events", ["events", "billing"], [
      { body: utf8("us invoice"), messageId: "inv-us", subject: "invoice", applicationProperties: { region: "us" } },
      { body: utf8("eu invoice"), messageId: "inv-eu", subject: "invoice", applicationProperties: { region: "eu" } },
    ]);
    await f.drain(["events", "eu-invoices"]);
  });
  afterAll(async () => f?.cleanup());

  it("previews every subscription whose rules match the copy", async () => {
    const [us, eu] = await browseAll(f.adapter, DLQ);
    expect((await f.adapter.routeReplay!(DLQ, us!)).receivers.map((r) => r.id)).toEqual(["events/Subscriptions/billing"]);
    const wide = await f.adapter.routeReplay!(DLQ, eu!);
    expect(wide.receivers.map((r) => r.id)).toEqual(["events/Subscriptions/billing", "events/Subscriptions/eu-invoices"]);
    expect(wide.blocked).toMatch(/eu-invoices/);
    expect(wide.changes.join(" ")).toMatch(/DeadLetterReason and DeadLetterErrorDescription are removed/);
  });

  it("previews explicit destinations: a queue, a topic, and one that does not exist", async () => {
    const [us] = await browseAll(f.adapter, DLQ);
    expect(await f.adapter.routeReplay!(DLQ, us!, { id: "manual" })).toMatchObject({ sendTo: { id: "manual" }, receivers: [{ id: "manual" }], blocked: null });
    expect(await f.adapter.routeReplay!(DLQ, us!, { id: "events" })).toMatchObject({ receivers: [{ id: "events/Subscriptions/billing" }], blocked: null });
    expect((await f.adapter.routeReplay!(DLQ, us!, { id: "nowhere" })).blocked).toMatch(/no queue or topic named "nowhere"/);
  });

  it("refuses a replay the source subscription's rules no longer match, and with consent adds its rule", async () => {
    // The operator changes billing's rule after the message was dead-lettered.
    const manager = f.client.createRuleManager("events", "billing");
    await manager.createRule("invoices-v2", { subject: "invoice.v2" });
    await manager.deleteRule("invoices");
    const [us] = await browseAll(f.adapter, DLQ);
    const route = await f.adapter.routeReplay!(DLQ, us!);
    expect(route.receivers).toEqual([]);
    expect(route.blocked).toMatch(/addReplayRules/);
    expect(await f.adapter.replay(DLQ, [{ id: us!.id, stamp }])).toMatchObject([{ status: "failed", error: expect.stringMatching(/^refused: /) }]);
    expect((await f.peekAll(["events", "billing"], "deadLetter")).map((m) => m.messageId)).toEqual(["inv-us", "inv-eu"]);

    const consenting = createServicebusAdapter({ name: "consenting", connection: { connectionString: f.emulator.connectionString, addReplayRules: true } });
    try {
      const preview = await consenting.routeReplay!(DLQ, us!);
      expect(preview).toMatchObject({ sendTo: { id: "events" }, receivers: [{ id: "events/Subscriptions/billing" }], blocked: null });
      expect(preview.changes.join(" ")).toContain(REPLAY_RULE_NAME);
      expect(await consenting.replay(DLQ, [{ id: us!.id, stamp }])).toMatchObject([{ status: "moved", sentMessageId: "inv-us" }]);
    } finally {
      await consenting.close();
    }
    const rules = [];
    for await (const rule of manager.listRules()) rules.push(rule);
    expect(rules.map((rule) => [rule.name, rule.filter])).toContainEqual([
      REPLAY_RULE_NAME, expect.objectContaining({ applicationProperties: { [REPLAY_TARGET_PROPERTY]: "events/Subscriptions/billing" } }),
    ]);
    const copies = await f.drain(["events", "billing"]);
    expect(copies.map((copy) => [copy.messageId, Buffer.from(copy.body as Uint8Array).toString(), copy.applicationProperties?.[REPLAY_TARGET_PROPERTY]]))
      .toEqual([["inv-us", "us invoice", "events/Subscriptions/billing"]]);
    expect(await f.peekAll(["events", "shipping"])).toEqual([]);
    expect(await f.peekAll(["events", "eu-invoices"])).toEqual([]);
    expect((await f.peekAll(["events", "billing"], "deadLetter")).map((m) => m.messageId)).toEqual(["inv-eu"]);
  });
});

describe("ruleMatches", () => {
  const view = { subject: "invoice", correlationId: "c-1", properties: { region: "eu", n: 3 } };
  it("evaluates correlation filters field by field and SQL only where it is trivially true or false", () => {
    expect(ruleMatches({ subject: "invoice", applicationProperties: { region: "eu" } }, view)).toBe(true);
    expect(ruleMatches({ subject: "invoice", applicationProperties: { region: "us" } }, view)).toBe(false);
    expect(ruleMatches({ correlationId: "c-2" }, view)).toBe(false);
    expect(ruleMatches({ applicationProperties: { n: "3" } }, view)).toBe(false); // typed, as Service Bus compares
    expect(ruleMatches({ sqlExpression: "1=1" }, view)).toBe(true);
    expect(ruleMatches({ sqlExpression: " 1 = 0 " }, view)).toBe(false);
    expect(ruleMatches({ sqlExpression: "user.region = 'eu'" }, view)).toBe("unknown");
  });
});
