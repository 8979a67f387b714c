// What the bulk replay benchmarks share: the database and modules of a run, and the peak RSS of a phase.

/** Samples RSS every 50 ms from now; stop() returns the peak seen. */
export function rssMeter(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return { stop: () => (clearInterval(timer), Math.max(peak, process.memoryUsage().rss)) };
}

/** Bytes as whole megabytes, for the printed figures. */
export const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * A fresh, migrated database for one benchmark run, and the bulk replay modules bound to it
 * (imported after DATABASE_URL is set: the config is read once, on first use). drop() it at the end.
 */
export async function bulkReplayBench(name: string) {
  const { createTestDatabase } = await import("../lib/db/test-database");
  const { migrateDatabase } = await import("../lib/db/migrate");
  const database = await createTestDatabase(name);
  await migrateDatabase(database.url);
  process.env.DATABASE_URL = database.url;
  const { db } = await import("../lib/db/client");
  const { stopJobs } = await import("../lib/jobs/boss");
  const { planBulkReplay } = await import("../lib/operations/bulk/plan");
  const { getBulkJob, startBulkJob } = await import("../lib/operations/bulk/control");
  const { runBulkJob } = await import("../lib/operations/bulk/runner");
  return { database, db, stopJobs, planBulkReplay, getBulkJob, startBulkJob, runBulkJob };
}
