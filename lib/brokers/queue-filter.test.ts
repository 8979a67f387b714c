import { describe, expect, it } from "vitest";
import { queueMatches } from "./queue-filter";

describe("queueMatches", () => {
  it("includes everything by default", () => {
    expect(queueMatches("orders.dlq", { include: ["*"], exclude: [] })).toBe(true);
  });

  it("applies include then exclude globs", () => {
    const filter = { include: ["orders.*", "payments-?"], exclude: ["*.test.*"] };
    expect(queueMatches("orders.dlq", filter)).toBe(true);
    expect(queueMatches("payments-1", filter)).toBe(true);
    expect(queueMatches("payments-12", filter)).toBe(false);
    expect(queueMatches("orders.test.dlq", filter)).toBe(false);
    expect(queueMatches("billing.dlq", filter)).toBe(false);
  });

  it("treats regex characters in names literally", () => {
    const filter = { include: ["a.b(c)+/$DeadLetterQueue"], exclude: [] };
    expect(queueMatches("a.b(c)+/$DeadLetterQueue", filter)).toBe(true);
    expect(queueMatches("aXb(c)+/$DeadLetterQueue", filter)).toBe(false);
  });
});
