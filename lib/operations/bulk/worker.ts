import "server-only";
// The bulk replay worker of this process: takes bulk-replay jobs from pg-boss and runs them, and
// sweeps for jobs whose worker died (lease lapsed) to queue them again, so any replica resumes
// them from their last checkpoint (DESIGN.md, "Scale"). Started once from instrumentation.ts.
import { requireAdapter } from "@/lib/api/brokers";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { getConfig } from "@/lib/config";
import { db } from "@/lib/db/client";
import { enqueueJob, everyInterval, onJobsStopping, stopJobsOnShutdown, workJobs, WORKER_ID } from "@/lib/jobs/boss";
import { BULK_REPLAY_QUEUE } from "./control";
import { runBulkJob, stopRunningJobs, type RunnerDeps } from "./runner";

export interface WorkerOptions {
  /** Adapters by broker name. Default: the configured brokers. */
  readonly resolveAdapter?: (broker: string) => BrokerAdapter;
  readonly workerId?: string;
  readonly leaseMs?: number;
  readonly returnCheckMs?: number;
  /** Time between sweeps for orphaned jobs. Default: a third of the lease. */
  readonly sweepMs?: number;
}

/** Queue again every active job whose lease lapsed (its worker died); returns their ids. */
export async function sweepOrphanedJobs(leaseMs: number): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT id FROM bulk_job
    WHERE status IN ('running', 'cancelling') AND (lease_until IS NULL OR lease_until < now()) AND updated_at < now() - interval '2 seconds'`;
  // One queued job per lease period, however many replicas sweep: pg-boss drops the repeats.
  const singletonSeconds = Math.max(1, Math.ceil(leaseMs / 1000));
  for (const row of rows) await enqueueJob(BULK_REPLAY_QUEUE, { jobId: row.id }, { singletonKey: `bulk-replay:${row.id}`, singletonSeconds });
  return rows.map((row) => row.id);
}

/** Start taking bulk replay jobs in this process (no-op with JOBS_WORKER=false). */
export async function startBulkReplayWorker(options: WorkerOptions = {}): Promise<void> {
  const { jobs, bulkReplay } = getConfig();
  if (!jobs.worker) return;
  const leaseMs = options.leaseMs ?? jobs.leaseMs;
  const deps: RunnerDeps = {
    resolveAdapter: options.resolveAdapter ?? requireAdapter,
    workerId: options.workerId ?? WORKER_ID,
    leaseMs,
    returnScan: bulkReplay.returnScan,
    returnCheckMs: options.returnCheckMs ?? bulkReplay.returnCheckMs,
  };
  await workJobs<{ jobId: string }>(BULK_REPLAY_QUEUE, jobs.concurrency, async ({ jobId }) => runBulkJob(jobId, deps));
  await everyInterval(options.sweepMs ?? Math.max(500, Math.floor(leaseMs / 3)), async () => {
    await sweepOrphanedJobs(leaseMs);
  });
  onJobsStopping(stopRunningJobs);
  stopJobsOnShutdown();
}
