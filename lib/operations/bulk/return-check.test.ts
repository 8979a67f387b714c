// Return checks in the main phase: the configured interval, spaced out when a check is slow so
// reading the DLQ's head never takes more than a tenth of a bulk replay's time.
import { describe, expect, it } from "vitest";
import { CallTimes, RETURN_CHECK_SHARE, returnCheckDelay } from "./runner";

describe("returnCheckDelay", () => {
  it("keeps the configured interval while checks are quick", () => {
    expect(returnCheckDelay(5_000, 0)).toBe(5_000);
    expect(returnCheckDelay(5_000, 300)).toBe(5_000);
  });

  it("spaces slow checks so they take at most their share of the run", () => {
    const took = 2_000;
    const delay = returnCheckDelay(5_000, took);
    expect(delay).toBe(20_000);
    // The delay runs from one check's start to the next's: the check's share of it is the bound.
    expect(took / delay).toBeCloseTo(RETURN_CHECK_SHARE, 5);
  });
});

describe("CallTimes", () => {
  it("charges the first call after a check with what it took beyond the usual, per message", () => {
    const calls = new CallTimes();
    expect(calls.record(50, 100)).toBeNull(); // 0.5 ms per message
    expect(calls.record(50, 100)).toBeNull();
    calls.checked();
    // A sweep that passed the messages the check released: 2 s for 100 instead of 50 ms.
    expect(calls.record(2_050, 100)).toBe(2_000);
    // Only the first call after a check is charged, and a smaller batch costs its share of the usual.
    expect(calls.record(25, 50)).toBeNull();
    calls.checked();
    expect(calls.record(20, 50)).toBe(0);
  });

  it("charges nothing before it knows the usual time, and does not learn from a charged call", () => {
    const calls = new CallTimes();
    calls.checked(); // the canary's read
    expect(calls.record(3_000, 100)).toBeNull();
    expect(calls.record(40, 100)).toBeNull();
    calls.checked();
    expect(calls.record(1_040, 100)).toBe(1_000);
  });
});
