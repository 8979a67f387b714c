// A DLQ's depth over the last hour, from the samples the console stores: the points for the
// overview's sparkline and the change over the window. Pure, so tested without a database.

/** The window the overview shows. */
export const TREND_WINDOW_MS = 60 * 60 * 1_000;

export interface DepthPoint {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly depth: number;
}

export interface DepthTrend {
  /** Oldest first, inside the window, the current depth last. */
  readonly points: readonly DepthPoint[];
  /** Current depth minus the depth at the start of the window; null with fewer than two points. */
  readonly change: number | null;
}

/**
 * The trend of one queue: samples inside the window (plus the last one before it, which is the
 * depth at the window's start), ending in the depth just read.
 */
export function depthTrend(samples: readonly DepthPoint[], current: DepthPoint, windowMs = TREND_WINDOW_MS): DepthTrend {
  const start = current.at - windowMs;
  const sorted = [...samples].filter((sample) => sample.at < current.at).sort((a, b) => a.at - b.at);
  const before = sorted.filter((sample) => sample.at <= start).at(-1);
  const inside = sorted.filter((sample) => sample.at > start);
  const points = [...(before ? [{ at: start, depth: before.depth }] : []), ...inside, current];
  return { points, change: points.length >= 2 ? current.depth - points[0]!.depth : null };
}
