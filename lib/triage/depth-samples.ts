import "server-only";
// DLQ depths stored in Postgres over time (depth_sample), for the overview's "last hour" trend and,
// later, alert rules on growth. Several replicas and the overview's polling all write here; the
// insert skips a queue sampled moments ago, so the table grows by about one row per queue a minute.
import { db } from "@/lib/db/client";
import { orNullWhenDatabaseFails } from "@/lib/db/optional";
import { depthTrend, TREND_WINDOW_MS, type DepthPoint, type DepthTrend } from "./depth-trend";

/** A queue sampled more recently than this is not sampled again. */
export const MIN_SAMPLE_GAP_MS = 30_000;
/** Samples older than this are deleted. */
export const SAMPLE_RETENTION_MS = 7 * 24 * 60 * 60 * 1_000;

export interface QueueDepth {
  readonly broker: string;
  readonly queueId: string;
  readonly depth: number;
}

const keyOf = (broker: string, queueId: string) => `${broker}\u0000${queueId}`;

/** Store the depths just read, skipping queues sampled in the last MIN_SAMPLE_GAP_MS; returns rows written. */
export async function recordDepths(depths: readonly QueueDepth[], now = new Date()): Promise<number> {
  if (depths.length === 0) return 0;
  const recent = new Date(now.getTime() - MIN_SAMPLE_GAP_MS);
  return db().$executeRaw`
    INSERT INTO depth_sample (broker, queue_id, depth, sampled_at)
    SELECT d.broker, d.queue_id, d.depth, ${now}
    FROM unnest(${depths.map((d) => d.broker)}::text[], ${depths.map((d) => d.queueId)}::text[], ${depths.map((d) => d.depth)}::int[])
      AS d(broker, queue_id, depth)
    WHERE NOT EXISTS (
      SELECT 1 FROM depth_sample s WHERE s.broker = d.broker AND s.queue_id = d.queue_id AND s.sampled_at > ${recent}
    )`;
}

/** Delete samples past the retention; returns rows deleted. */
export async function pruneDepthSamples(now = new Date()): Promise<number> {
  return db().$executeRaw`DELETE FROM depth_sample WHERE sampled_at < ${new Date(now.getTime() - SAMPLE_RETENTION_MS)}`;
}

interface SampleRow {
  broker: string;
  queue_id: string;
  depth: number;
  sampled_at: Date;
}

/** Each queue's trend over the window, ending in the depth just read (keyed like trendKey()). */
export async function readTrends(current: readonly QueueDepth[], now = new Date(), windowMs = TREND_WINDOW_MS): Promise<Map<string, DepthTrend>> {
  const trends = new Map<string, DepthTrend>();
  if (current.length === 0) return trends;
  const start = new Date(now.getTime() - windowMs);
  // The samples inside the window, plus each queue's last sample before it (its depth at the start).
  const rows = await db().$queryRaw<SampleRow[]>`
    SELECT broker, queue_id, depth, sampled_at FROM depth_sample WHERE sampled_at > ${start} AND sampled_at <= ${now}
    UNION ALL
    (SELECT DISTINCT ON (broker, queue_id) broker, queue_id, depth, sampled_at FROM depth_sample
      WHERE sampled_at <= ${start} AND sampled_at > ${new Date(start.getTime() - windowMs)}
      ORDER BY broker, queue_id, sampled_at DESC)`;
  const byQueue = new Map<string, DepthPoint[]>();
  for (const row of rows) {
    const key = keyOf(row.broker, row.queue_id);
    const points = byQueue.get(key) ?? [];
    points.push({ at: row.sampled_at.getTime(), depth: row.depth });
    byQueue.set(key, points);
  }
  for (const queue of current) {
    const key = keyOf(queue.broker, queue.queueId);
    trends.set(key, depthTrend(byQueue.get(key) ?? [], { at: now.getTime(), depth: queue.depth }, windowMs));
  }
  return trends;
}

/** The key readTrends() uses for one queue. */
export const trendKey = keyOf;

/**
 * Record the depths just read and return their trends; null when the database cannot be reached,
 * so the overview still shows live depths (the failure is logged, not hidden).
 */
export async function sampleAndReadTrends(depths: readonly QueueDepth[], now = new Date()): Promise<Map<string, DepthTrend> | null> {
  return orNullWhenDatabaseFails("depth trends", async () => {
    await recordDepths(depths, now);
    return readTrends(depths, now);
  });
}

/** One queue's samples since `since`, oldest first, at most `maxPoints` (evenly thinned). */
export async function depthHistory(broker: string, queueId: string, since: Date, maxPoints = 500): Promise<DepthPoint[]> {
  const rows = await db().depthSample.findMany({
    where: { broker, queueId, sampledAt: { gte: since } },
    orderBy: { sampledAt: "asc" },
    select: { sampledAt: true, depth: true },
  });
  const step = Math.max(1, Math.ceil(rows.length / maxPoints));
  // Thin evenly but always keep the newest sample.
  return rows.filter((_, index) => index % step === 0 || index === rows.length - 1).map((row) => ({ at: row.sampledAt.getTime(), depth: row.depth }));
}
