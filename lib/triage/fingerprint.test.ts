import { describe, expect, it } from "vitest";
import { fingerprintOf, normaliseFailure } from "./fingerprint";

describe("failure fingerprints", () => {
  it("groups failures that differ only in ids, numbers, GUIDs and times", () => {
    const a = fingerprintOf("rejected", "Order 1042 not found for customer 7f3c2a9e-1b2c-4d5e-8f90-123456789abc at 2026-11-28T02:13:44Z");
    const b = fingerprintOf("rejected", "Order 77 not found for customer 00000000-0000-0000-0000-000000000001 at 2026-11-27T23:01:02.123+01:00");
    expect(a).toEqual(b);
    expect(a.label).toBe("rejected: Order <n> not found for customer <guid> at <time>");
  });

  it("groups numbers that carry a unit, and keeps the unit", () => {
    const a = fingerprintOf("rejected", "Timeout calling inventory-service after 3500ms");
    const b = fingerprintOf("rejected", "Timeout calling inventory-service after 5750ms");
    expect(a).toEqual(b);
    expect(a.label).toBe("rejected: Timeout calling inventory-service after <n>ms");
    expect(normaliseFailure("retried 3x in 1.5s")).toBe("retried <n>x in <n>s");
    expect(fingerprintOf("rejected", "after 3500ms").id).not.toBe(fingerprintOf("rejected", "after 3500 items").id);
  });

  it("keeps different failures apart", () => {
    expect(fingerprintOf("rejected", "Order 1 not found").id).not.toBe(fingerprintOf("rejected", "Payment 1 declined").id);
    expect(fingerprintOf("expired", null).id).not.toBe(fingerprintOf("rejected", null).id);
  });

  it("normalises hex, long ids and quoted values", () => {
    expect(normaliseFailure("key 'abc' at 0xDEADBEEF in trace 4bf92f3577b34da6a3ce929d0e0e4736")).toBe("key <str> at <hex> in trace <hex>");
    expect(normaliseFailure("tenant ord_9f8e7d6c5b4a not allowed")).toBe("tenant <id> not allowed");
  });

  it("names a missing reason", () => {
    expect(fingerprintOf(null, "  ").label).toBe("(no reason recorded)");
  });
});
