import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { setupTestDatabase } from "@/lib/operations/testing/database";
import { appendAudit } from "./log";
import { consoleHistory, priorReplayCounts } from "./query";

setupTestDatabase("replay_history");

const append = (action: string, operationId: string, outcomes: { id: string; status: string }[], broker = "rabbit") =>
  db().$transaction((tx) =>
    appendAudit(tx, { actor: "ana", action, operationId, broker, queueId: "orders.dlq", messageIds: outcomes.map((line) => line.id), request: {}, outcome: { outcomes } }),
  );

describe("the console's earlier replays of a message", () => {
  it("counts sent copies from single replays, resends and bulk batches, and nothing else", async () => {
    await append("replay.outcome", "op-1", [{ id: "m1", status: "moved" }, { id: "m2", status: "failed" }]);
    await append("resend.outcome", "op-2", [{ id: "m1", status: "sent-kept" }]);
    await append("bulk-replay.batch", "job-1", [{ id: "m1", status: "sent-not-removed" }, { id: "m2", status: "moved" }, { id: "m3", status: "skipped" }]);
    // Rows that are not replays, or of another broker, do not count.
    await append("replay.intent", "op-3", [{ id: "m1", status: "moved" }]);
    await append("replay.outcome", "op-4", [{ id: "m1", status: "moved" }], "sqs");

    expect(Object.fromEntries(await priorReplayCounts("rabbit", ["m1", "m2", "m3", "m4"]))).toEqual({ m1: 3, m2: 1 });
    // A running job does not count its own batches.
    expect(Object.fromEntries(await priorReplayCounts("rabbit", ["m1", "m2"], "job-1"))).toEqual({ m1: 2 });
    // Only the ids asked for, though a row names others.
    expect(Object.fromEntries(await priorReplayCounts("rabbit", ["m2"]))).toEqual({ m2: 1 });
    expect((await priorReplayCounts("rabbit", [])).size).toBe(0);
  });

  it("shows bulk jobs in a message's history next to single replays and edits, oldest first", async () => {
    await append("replay.outcome", "op-10", [{ id: "h1", status: "moved" }]);
    await append("bulk-replay.batch", "job-10", [{ id: "h0", status: "moved" }, { id: "h1", status: "moved" }]);
    await append("resend.outcome", "op-11", [{ id: "h1", status: "sent-kept" }]);
    const history = await consoleHistory("rabbit", ["h1"]);
    expect(history.map((event) => [event.kind, event.detail])).toEqual([
      ["replayed", "replayed by ana (operation op-10): moved"],
      ["replayed", "replayed in a bulk job by ana (operation job-10): moved"],
      ["edited", "edited and resent by ana (operation op-11): sent-kept"],
    ]);
  });

  it("counts across a log of large bulk batches, each id in the one batch that moved it", async () => {
    const batch = (start: number) => Array.from({ length: 500 }, (_, offset) => ({ id: `b${start + offset}`, status: "moved" }));
    for (let start = 0; start < 20_000; start += 500) await append("bulk-replay.batch", "job-big", batch(start));
    await db().$executeRawUnsafe("ANALYZE audit_log");
    const wanted = Array.from({ length: 500 }, (_, offset) => `b${9_750 + offset}`); // across two batches
    const counts = await priorReplayCounts("rabbit", wanted);
    expect(counts.size).toBe(500);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });
});
