import { describe, expect, it } from "vitest";
import { backoffDelay, withRetry } from "./retry";

describe("backoff", () => {
  it("doubles from the base up to the cap, plus jitter", () => {
    const noJitter = { baseMs: 100, capMs: 1_000, random: () => 0 };
    expect([0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, noJitter))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoffDelay(10, { baseMs: 100, capMs: 1_000, jitterMs: 50, random: () => 0.5 })).toBe(1_025);
  });

  it("retries transient errors with growing waits, then succeeds", async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new Error("throttled");
        return "sent";
      },
      { baseMs: 10, random: () => 0, isTransient: () => true, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe("sent");
    expect(waits).toEqual([10, 20]);
  });

  it("does not retry a permanent error, and gives up after the last attempt", async () => {
    let calls = 0;
    const permanent = withRetry(async () => { calls++; throw new Error("not found"); }, { isTransient: () => false, sleep: async () => undefined });
    await expect(permanent).rejects.toThrow("not found");
    expect(calls).toBe(1);
    calls = 0;
    const exhausted = withRetry(async () => { calls++; throw new Error("down"); }, { attempts: 4, isTransient: () => true, sleep: async () => undefined });
    await expect(exhausted).rejects.toThrow("down");
    expect(calls).toBe(4);
  });
});
