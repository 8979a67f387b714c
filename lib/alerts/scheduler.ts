import "server-only";
// Alert rules are evaluated by a job on Postgres: pg-boss's cron sends one "alerts-evaluate" job a
// minute for the whole deployment and any replica's worker takes it (DESIGN.md, "Scale").
// evaluateAlerts() also holds an advisory lock, so a late duplicate never evaluates concurrently.
// Webhook deliveries are retried on their own 10 s timer; each row is claimed by one replica.
import { getConfig } from "@/lib/config";
import { enqueueJob, everyInterval, jobRuntime, stopJobsOnShutdown, workJobs } from "@/lib/jobs/boss";
import { deliverAlerts, evaluateAlerts } from "./engine";

export const ALERT_QUEUE = "alerts-evaluate";
/** Every minute, the finest a pg-boss cron goes. */
export const ALERT_SCHEDULE = "* * * * *";
/** How often due deliveries (first sends and retries) go out. */
export const DELIVERY_EVERY_MS = 10_000;

const holder = globalThis as typeof globalThis & { __dlqAlertScheduler?: boolean };

/** Schedule the evaluation job and work it here (unless JOBS_WORKER=false); idempotent per process. */
export async function startAlertScheduler(): Promise<void> {
  if (holder.__dlqAlertScheduler) return;
  holder.__dlqAlertScheduler = true;
  const { boss } = await jobRuntime();
  await boss.createQueue(ALERT_QUEUE);
  await boss.schedule(ALERT_QUEUE, ALERT_SCHEDULE);
  if (!getConfig().jobs.worker) return;
  await workJobs(ALERT_QUEUE, 1, async () => {
    await evaluateAlerts();
    await deliverAlerts();
  });
  // A first evaluation at start rather than at the next minute (replicas starting together send one).
  await enqueueJob(ALERT_QUEUE, {}, { singletonKey: "startup", singletonSeconds: 30 });
  await everyInterval(DELIVERY_EVERY_MS, async () => {
    await deliverAlerts();
  });
  stopJobsOnShutdown();
}
