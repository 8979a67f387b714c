// Return checks in the main phase: the configured interval, spaced out when a check is slow so
// reading the DLQ's head never takes more than a tenth of a bulk replay's time.
import { describe, expect, it } from "vitest";
import { CheckCharge, RETURN_CHECK_SHARE, returnCheckDelay } from "./runner";

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

describe("CheckCharge", () => {
  it("charges the first broker call after a check to it, and no other", () => {
    const charge = new CheckCharge();
    expect(charge.charge(45)).toBeNull();
    charge.checked();
    expect(charge.charge(7_000)).toBe(7_000); // the sweep that passed what the check released
    expect(charge.charge(45)).toBeNull();
  });

  it("spaces checks past the slow call they cause, so a batch is not followed by a check every time", () => {
    // 0.5 s to read, then a 7 s call: checked on the read alone, the next check would be due
    // (5 s) before that call even ended.
    const check = 500;
    const charge = new CheckCharge();
    charge.checked();
    const delay = returnCheckDelay(5_000, check + charge.charge(7_000)!);
    expect(delay).toBe(75_000);
    expect(delay).toBeGreaterThan(check + 7_000);
  });
});
