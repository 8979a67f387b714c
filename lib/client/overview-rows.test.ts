import { describe, expect, it } from "vitest";
import type { QueuesResponse } from "@/lib/api/schemas/queues";
import { DEFAULT_FILTER, DEFAULT_SORT, environmentsOf, isProduction, overviewRows } from "./overview-rows";

const queue = (name: string, depth: number, sources: string[] = [], change: number | null = null) => ({
  id: name,
  name,
  depth,
  depthDetail: null,
  consumers: 0,
  sources: sources.map((source) => ({ id: source, name: source })),
  ordered: false,
  maxDeliveryCount: 5,
  oldestMessageAt: null,
  details: {},
  trend: change === null ? null : { points: [], change },
  topFailure: null,
});

const data: QueuesResponse = {
  generatedAt: new Date().toISOString(),
  brokers: [
    { name: "rabbit-prod", kind: "rabbitmq", environment: "prod", status: "ok", error: null, capabilities: null, queues: [queue("orders.dlq", 12, ["orders"]), queue("empty.dlq", 0)] },
    { name: "sqs-staging", kind: "sqs", environment: "staging", status: "ok", error: null, capabilities: null, queues: [queue("payments-dlq", 300, ["payments"])] },
    { name: "sb-down", kind: "servicebus", environment: null, status: "down", error: { code: "unavailable", message: "refused" }, capabilities: null, queues: [] },
  ],
};

describe("overviewRows", () => {
  it("sorts by last-hour growth, queues without a trend last", () => {
    const growing: QueuesResponse = {
      ...data,
      brokers: [{ ...data.brokers[0]!, queues: [queue("flat", 5, [], 0), queue("unknown", 9), queue("growing", 1, [], 40), queue("draining", 2, [], -7)] }],
    };
    expect(overviewRows(growing, DEFAULT_FILTER, { key: "change", direction: "desc" }).map((row) => row.queue.name)).toEqual(["growing", "flat", "draining", "unknown"]);
  });

  it("lists every broker's DLQs, deepest first", () => {
    expect(overviewRows(data, DEFAULT_FILTER, DEFAULT_SORT).map((row) => row.key)).toEqual([
      "sqs-staging/payments-dlq",
      "rabbit-prod/orders.dlq",
      "rabbit-prod/empty.dlq",
    ]);
  });

  it("filters by broker, environment, emptiness and words in names or sources", () => {
    const names = (filter: Partial<typeof DEFAULT_FILTER>) =>
      overviewRows(data, { ...DEFAULT_FILTER, ...filter }, DEFAULT_SORT).map((row) => row.queue.name);
    expect(names({ broker: "rabbit-prod" })).toEqual(["orders.dlq", "empty.dlq"]);
    expect(names({ environment: "staging" })).toEqual(["payments-dlq"]);
    expect(names({ hideEmpty: true })).toEqual(["payments-dlq", "orders.dlq"]);
    expect(names({ text: "ORDERS" })).toEqual(["orders.dlq"]);
    expect(names({ text: "payments sqs" })).toEqual(["payments-dlq"]);
    expect(names({ text: "payments rabbit" })).toEqual([]);
  });

  it("sorts by name both ways", () => {
    const sorted = (direction: "asc" | "desc") => overviewRows(data, DEFAULT_FILTER, { key: "queue", direction }).map((row) => row.queue.name);
    expect(sorted("asc")).toEqual(["empty.dlq", "orders.dlq", "payments-dlq"]);
    expect(sorted("desc")).toEqual(["payments-dlq", "orders.dlq", "empty.dlq"]);
  });

  it("knows production labels and lists environments", () => {
    expect(isProduction("prod")).toBe(true);
    expect(isProduction("Production")).toBe(true);
    expect(isProduction("preprod")).toBe(false);
    expect(environmentsOf(data)).toEqual(["prod", "staging"]);
  });
});
