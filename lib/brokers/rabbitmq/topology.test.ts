// Discovery from topology snapshots: DLX by argument or policy, default exchange, topic and e2e routes.
import { describe, expect, it } from "vitest";
import type { Binding, ManagedExchange, ManagedQueue } from "./management";
import { checkQueues } from "@/lib/hygiene/checks";
import { deliveryLimitOf, findDeadLetterQueues, queueSettingsOf, topicMatches } from "./topology";

const queue = (name: string, extra: Partial<ManagedQueue> = {}): ManagedQueue => ({ name, arguments: {}, ...extra });
const bind = (source: string, destination: string, routing_key = "", destination_type: Binding["destination_type"] = "queue"): Binding => ({
  source, destination, routing_key, destination_type,
});

describe("rabbitmq dead-letter discovery", () => {
  it("matches topic patterns", () => {
    expect(topicMatches("orders.#", "orders.eu.failed")).toBe(true);
    expect(topicMatches("orders.*", "orders.eu.failed")).toBe(false);
    expect(topicMatches("#.failed", "failed")).toBe(true);
    expect(topicMatches("*.failed", "x.failed")).toBe(true);
  });

  it("follows argument and policy DLX through direct, topic, fanout, e2e bindings and the default exchange", () => {
    const exchanges: ManagedExchange[] = [
      { name: "dlx", type: "direct" },
      { name: "topic-dlx", type: "topic" },
      { name: "fan", type: "fanout" },
    ];
    const queues = [
      queue("a", { arguments: { "x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": "a-dead" } }),
      queue("b", { effective_policy_definition: { "dead-letter-exchange": "topic-dlx", "dead-letter-routing-key": "b.eu.dead" } }),
      queue("c", { arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "c.dlq" } }),
      queue("a.dlq"), queue("other"), queue("b.dlq"), queue("c.dlq"), queue("fan.dlq"), queue("manual"),
    ];
    const bindings = [
      bind("dlx", "a.dlq", "a-dead"),
      bind("dlx", "other", "something-else"),
      bind("topic-dlx", "b.dlq", "b.#"),
      bind("topic-dlx", "fan", "#.dead", "exchange"),
      bind("fan", "fan.dlq", "ignored"),
    ];
    const found = findDeadLetterQueues(queues, exchanges, bindings, ["manual", "missing"]);
    expect(Object.fromEntries(found)).toEqual({ manual: [], "a.dlq": ["a"], "b.dlq": ["b"], "fan.dlq": ["b"], "c.dlq": ["c"] });
  });

  it("takes the lower delivery limit of argument and policy, and 4.x's default of 20 for quorum queues", () => {
    expect(deliveryLimitOf(queue("q", { type: "quorum", arguments: { "x-delivery-limit": 10 }, effective_policy_definition: { "delivery-limit": 5 } }), 3)).toBe(5);
    expect(deliveryLimitOf(queue("q", { type: "quorum" }), 4)).toBe(20);
    expect(deliveryLimitOf(queue("q", { type: "quorum" }), 3)).toBeNull();
    expect(deliveryLimitOf(queue("q", { type: "quorum", arguments: { "x-delivery-limit": -1 } }), 4)).toBeNull();
  });

  it("reports each queue's dead-letter settings for the hygiene checks, skipping temporary queues", () => {
    const exchanges: ManagedExchange[] = [{ name: "dlx", type: "direct" }, { name: "lonely-dlx", type: "direct" }];
    const queues = [
      queue("orders", { type: "quorum", consumers: 2, arguments: { "x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": "dead", "x-delivery-limit": 50 } }),
      queue("payments", { arguments: { "x-dead-letter-exchange": "lonely-dlx" } }),
      queue("reports"),
      queue("orders.dlq", { consumers: 1, arguments: { "x-message-ttl": 60_000 } }),
      queue("amq.gen-123", { exclusive: true }),
      queue("tmp", { auto_delete: true }),
    ];
    const settings = queueSettingsOf(queues, exchanges, [bind("dlx", "orders.dlq", "dead")], [], 3);
    expect(settings.map((entry) => entry.id)).toEqual(["orders", "payments", "reports", "orders.dlq"]);
    expect(settings[0]).toMatchObject({ role: "work", deadLetterTargets: [{ id: "orders.dlq" }], maxDeliveryCount: 50, deliveryCapSupported: true, consumers: 2 });
    expect(settings[1]).toMatchObject({ deadLetterConfigured: true, deadLetterTargets: [], deliveryCapSupported: false });
    expect(settings[3]).toMatchObject({ role: "dlq", retentionSeconds: 60 });
    expect(checkQueues("rabbitmq", settings).map((finding) => `${finding.queue.id}:${finding.code}`).sort()).toEqual([
      "orders.dlq:dlq-has-consumers",
      "orders:delivery-cap-high",
      "payments:dead-letter-routes-nowhere",
      "reports:no-dead-letter-path",
    ]);
  });
});
