import { describe, expect, it } from "vitest";
import { depthTrend, TREND_WINDOW_MS } from "./depth-trend";

const minute = 60_000;
const now = Date.parse("2026-12-01T12:00:00Z");

describe("depth trends", () => {
  it("measures the change from the depth at the window's start to now", () => {
    const trend = depthTrend(
      [
        { at: now - 90 * minute, depth: 3 }, // before the window: the depth at its start
        { at: now - 30 * minute, depth: 10 },
        { at: now - 5 * minute, depth: 40 },
      ],
      { at: now, depth: 42 },
    );
    expect(trend.change).toBe(39);
    expect(trend.points).toEqual([
      { at: now - TREND_WINDOW_MS, depth: 3 },
      { at: now - 30 * minute, depth: 10 },
      { at: now - 5 * minute, depth: 40 },
      { at: now, depth: 42 },
    ]);
  });

  it("shows a draining queue as a negative change", () => {
    expect(depthTrend([{ at: now - 20 * minute, depth: 100 }], { at: now, depth: 0 }).change).toBe(-100);
  });

  it("has no change without an earlier sample", () => {
    expect(depthTrend([], { at: now, depth: 5 })).toEqual({ points: [{ at: now, depth: 5 }], change: null });
  });

  it("ignores samples older than the last one before the window, and any from the future", () => {
    const trend = depthTrend(
      [
        { at: now - 180 * minute, depth: 1 },
        { at: now - 61 * minute, depth: 7 },
        { at: now + minute, depth: 999 },
      ],
      { at: now, depth: 7 },
    );
    expect(trend.points.map((point) => point.depth)).toEqual([7, 7]);
    expect(trend.change).toBe(0);
  });
});
