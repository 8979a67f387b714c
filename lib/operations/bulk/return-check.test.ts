// Return checks in the main phase: the configured interval, spaced out when a check is slow so
// reading the DLQ's head never takes more than a tenth of a bulk replay's time.
import { describe, expect, it } from "vitest";
import { RETURN_CHECK_SHARE, returnCheckDelay } from "./runner";

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
