import "server-only";
// One pg-boss per process on the console's Postgres (DESIGN.md, "Scale"): any replica's worker
// takes jobs from the same tables, so work survives the process that queued it. pg-boss creates
// and migrates its own schema ("pgboss") on start; nothing of it is in prisma/.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import PgBoss from "pg-boss";
import { getConfig } from "@/lib/config";

/** A job handler: gets the job's data; a throw fails the pg-boss job (the domain state says what happened). */
export type JobHandler<T extends object> = (data: T) => Promise<void>;

interface Runtime {
  readonly boss: PgBoss;
  readonly workerId: string;
  readonly timers: Set<NodeJS.Timeout>;
  stopping: Promise<void> | null;
}

// Next dev re-evaluates modules on edits; one runtime per process, not per module instance.
const holder = globalThis as typeof globalThis & { deadLetterConsoleJobs?: Promise<Runtime> };

/** This process's worker id (host, pid and a random suffix), as leases and checkpoints record it. */
export const WORKER_ID = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

async function startRuntime(): Promise<Runtime> {
  const { databaseUrl, jobs } = getConfig();
  if (!databaseUrl) throw new Error("No database configured: jobs need DATABASE_URL (npm run dev/start sets it for the embedded Postgres).");
  const boss = new PgBoss({ connectionString: databaseUrl, schema: "pgboss", max: jobs.poolSize, application_name: "dlq-console-jobs" });
  // pg-boss reports connection trouble as events; an unhandled "error" event would end the process.
  boss.on("error", (error: Error) => console.error(`jobs: pg-boss: ${error.message}`));
  await boss.start();
  return { boss, workerId: WORKER_ID, timers: new Set(), stopping: null };
}

/** The process's started pg-boss (started on first use). */
export async function jobRuntime(): Promise<Runtime> {
  holder.deadLetterConsoleJobs ??= startRuntime().catch((error: unknown) => {
    holder.deadLetterConsoleJobs = undefined;
    throw error;
  });
  return holder.deadLetterConsoleJobs;
}

/** Queue a job; returns pg-boss's job id, or null when a singleton repeat was dropped. */
export async function enqueueJob(queue: string, data: object, options: { singletonKey?: string; singletonSeconds?: number } = {}): Promise<string | null> {
  const { boss } = await jobRuntime();
  await boss.createQueue(queue);
  // No pg-boss retries or expiry: a job's own lease (lib/operations/bulk) decides who runs it, and
  // a sweeper requeues jobs whose worker died, so a long job is never cut off by a timer.
  return boss.send(queue, data, { retryLimit: 0, expireInHours: 23, ...options });
}

/** Run `handler` for jobs of `queue` in this process, `workers` at a time. */
export async function workJobs<T extends object>(queue: string, workers: number, handler: JobHandler<T>): Promise<void> {
  const { boss } = await jobRuntime();
  await boss.createQueue(queue);
  for (let index = 0; index < workers; index++) {
    await boss.work<T>(queue, { batchSize: 1, pollingIntervalSeconds: getConfig().jobs.pollSeconds }, async ([job]) => {
      if (job) await handler(job.data);
    });
  }
}

/** Call `tick` every `ms` until the runtime stops; errors are logged, the next tick still runs. */
export async function everyInterval(ms: number, tick: () => Promise<void>): Promise<void> {
  const runtime = await jobRuntime();
  let running = false;
  const timer = setInterval(() => {
    if (running || runtime.stopping) return;
    running = true;
    tick()
      .catch((error: unknown) => console.error(`jobs: periodic task failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => (running = false));
  }, ms);
  timer.unref();
  runtime.timers.add(timer);
}

const stoppingHooks: (() => void)[] = [];

/** Call `hook` when the process starts stopping its jobs (long handlers use it to stop at a safe point). */
export function onJobsStopping(hook: () => void): void {
  stoppingHooks.push(hook);
}

/** Stop taking jobs, let running handlers finish (up to timeoutMs), close pg-boss's pool. */
export async function stopJobs(timeoutMs = 30_000): Promise<void> {
  const pending = holder.deadLetterConsoleJobs;
  if (!pending) return;
  const runtime = await pending;
  runtime.stopping ??= (async () => {
    for (const hook of stoppingHooks) hook();
    for (const timer of runtime.timers) clearInterval(timer);
    await runtime.boss.stop({ graceful: true, timeout: timeoutMs, wait: true });
    holder.deadLetterConsoleJobs = undefined;
  })();
  return runtime.stopping;
}

let shutdownInstalled = false;

/** Stop jobs cleanly on SIGTERM / SIGINT (once per process), then let the process exit. */
export function stopJobsOnShutdown(): void {
  if (shutdownInstalled) return;
  shutdownInstalled = true;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      void stopJobs().finally(() => process.kill(process.pid, signal));
    });
  }
}
