// Depth samples against a real Postgres database: writes are throttled per queue, trends are read
// back with the depth at the window's start, old samples are pruned.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { createTestDatabase, type TestDatabase } from "@/lib/db/test-database";
import { depthHistory, MIN_SAMPLE_GAP_MS, pruneDepthSamples, readTrends, recordDepths, SAMPLE_RETENTION_MS, trendKey } from "./depth-samples";

const minute = 60_000;
const t0 = new Date("2026-12-01T10:00:00Z");
const at = (minutes: number) => new Date(t0.getTime() + minutes * minute);

describe("depth samples", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase("depth");
    await migrateDatabase(database.url);
    process.env.DATABASE_URL = database.url;
  });
  afterAll(async () => {
    await db().$disconnect();
    await database?.drop();
  });

  it("writes one sample per queue, and none again within the minimum gap", async () => {
    const depths = [
      { broker: "rabbit", queueId: "orders.dlq", depth: 3 },
      { broker: "sqs", queueId: "orders-dlq", depth: 0 },
    ];
    expect(await recordDepths(depths, at(0))).toBe(2);
    expect(await recordDepths(depths, new Date(at(0).getTime() + MIN_SAMPLE_GAP_MS / 2))).toBe(0);
    expect(await recordDepths([...depths, { broker: "sqs", queueId: "new-dlq", depth: 1 }], at(0.25))).toBe(1);
    expect(await recordDepths(depths, at(1))).toBe(2);
    expect(await db().depthSample.count()).toBe(5);
  });

  it("reads each queue's change over the last hour, from the depth at the window's start", async () => {
    await recordDepths([{ broker: "rabbit", queueId: "orders.dlq", depth: 10 }], at(30));
    await recordDepths([{ broker: "rabbit", queueId: "orders.dlq", depth: 25 }], at(65));
    const now = at(70);
    const trends = await readTrends(
      [
        { broker: "rabbit", queueId: "orders.dlq", depth: 40 },
        { broker: "sqs", queueId: "never-sampled", depth: 2 },
      ],
      now,
    );
    const orders = trends.get(trendKey("rabbit", "orders.dlq"))!;
    // At 10:10 the window starts; the last sample before it is 10:01 (depth 3).
    expect(orders.points.map((point) => point.depth)).toEqual([3, 10, 25, 40]);
    expect(orders.change).toBe(37);
    expect(trends.get(trendKey("sqs", "never-sampled"))).toEqual({ points: [{ at: now.getTime(), depth: 2 }], change: null });
  });

  it("reads one queue's history oldest first, thinned to a bound", async () => {
    const history = await depthHistory("rabbit", "orders.dlq", at(-1), 3);
    // Samples at 10:00 (3), 10:01 (3), 10:30 (10), 11:05 (25): every other one, and the newest.
    expect(history.map((point) => point.depth)).toEqual([3, 10, 25]);
    expect(history.at(-1)!.at).toBe(at(65).getTime());
    expect(await depthHistory("rabbit", "orders.dlq", at(40))).toEqual([{ at: at(65).getTime(), depth: 25 }]);
  });

  it("prunes samples past the retention", async () => {
    const before = await db().depthSample.count();
    const deleted = await pruneDepthSamples(new Date(at(2).getTime() + SAMPLE_RETENTION_MS));
    // A week after 10:02, everything up to 10:01 is past the retention; 10:30 and 11:05 stay.
    expect(deleted).toBe(before - 2);
    expect(await db().depthSample.count()).toBe(2);
  });
});
