// Next.js calls register() once when the server starts: background work of the console process.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startDepthSampler } = await import("@/lib/triage/sampler");
  startDepthSampler();
  await (await import("@/lib/operations/bulk/worker")).startBulkReplayWorker();
  await (await import("@/lib/alerts/scheduler")).startAlertScheduler();
}
