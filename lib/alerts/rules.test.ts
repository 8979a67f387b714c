import { describe, expect, it } from "vitest";
import { globMatches, nextState, ruleWatches, webhookBody, type AlertEvent } from "./rules";

const rule = { threshold: 100, resolveBelow: 80 };

describe("alert rules", () => {
  it("fires above the threshold and resolves only at or below resolveBelow", () => {
    const values = [50, 101, 120, 95, 85, 99, 80, 90, 101];
    let firing = false;
    const transitions = values.map((value) => {
      const next = nextState(firing, value, rule);
      firing = next.firing;
      return next.transition;
    });
    expect(transitions).toEqual([null, "fired", null, null, null, null, "resolved", null, "fired"]);
    expect(nextState(false, 100, rule)).toEqual({ firing: false, transition: null });
  });

  it("watches DLQs by broker and queue globs", () => {
    expect(ruleWatches({ broker: "rabbit-*", queue: "orders.*" }, "rabbit-prod", "orders.dead-letter")).toBe(true);
    expect(ruleWatches({ broker: "rabbit-*", queue: "orders.*" }, "sqs-prod", "orders.dead-letter")).toBe(false);
    expect(ruleWatches({ broker: "*", queue: "*" }, "sb", "events/Subscriptions/a/$DeadLetterQueue")).toBe(true);
    expect(globMatches("a.b", "aXb")).toBe(false);
  });

  it("speaks generic JSON, Slack and Teams, each with a link to the queue view", () => {
    const event: AlertEvent = {
      event: "fired",
      rule: { id: "r1", name: "orders DLQ deep", metric: "depth", threshold: 100, windowMinutes: 60 },
      broker: "rabbit-prod",
      queueId: "orders.dlq",
      value: 140,
      link: "https://dlq.example.com/queues/rabbit-prod/orders.dlq",
      at: new Date("2026-12-01T02:00:00Z"),
    };
    expect(webhookBody("generic", event)).toEqual({
      event: "fired",
      rule: { id: "r1", name: "orders DLQ deep", metric: "depth", threshold: 100 },
      broker: "rabbit-prod",
      queue: "orders.dlq",
      value: 140,
      link: event.link,
      at: "2026-12-01T02:00:00.000Z",
    });
    const slack = webhookBody("slack", event) as { text: string; blocks: { elements?: { url: string }[] }[] };
    expect(slack.text).toBe("[FIRING] orders DLQ deep: rabbit-prod / orders.dlq: 140 messages (threshold 100)");
    expect(slack.blocks[1]!.elements![0]!.url).toBe(event.link);
    const teams = webhookBody("teams", { ...event, event: "resolved" }) as { "@type": string; title: string; potentialAction: { targets: { uri: string }[] }[] };
    expect(teams["@type"]).toBe("MessageCard");
    expect(teams.title).toBe("[RESOLVED] orders DLQ deep: rabbit-prod / orders.dlq");
    expect(teams.potentialAction[0]!.targets[0]!.uri).toBe(event.link);
  });
});
