import "server-only";
// Samples every DLQ's depth once a minute while the console runs, so the overview's trend (and the
// alert rules that come later) have data even when nobody has the page open. One per process;
// several replicas write into the same table, and recordDepths() keeps that to one row a minute.
import { listOverview } from "@/lib/brokers/overview";
import { pruneDepthSamples, recordDepths } from "./depth-samples";

export const SAMPLE_EVERY_MS = 60_000;

const holder = globalThis as typeof globalThis & { __dlqDepthSampler?: NodeJS.Timeout };

async function sampleOnce(): Promise<void> {
  const brokers = await listOverview();
  const depths = brokers.flatMap((broker) => broker.queues.map((queue) => ({ broker: broker.name, queueId: queue.id, depth: queue.depth })));
  await recordDepths(depths);
  await pruneDepthSamples();
}

/** Start the once-a-minute sampler (idempotent: Next dev reloads do not start a second one). */
export function startDepthSampler(log: (line: string) => void = console.log): void {
  if (holder.__dlqDepthSampler) return;
  let lastError = "";
  const tick = () => {
    sampleOnce().then(
      () => {
        if (lastError) log("[depth-sampler] sampling again");
        lastError = "";
      },
      (error: unknown) => {
        // Logged once per distinct failure, not once a minute.
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError) log(`[depth-sampler] sample failed: ${message}`);
        lastError = message;
      },
    );
  };
  holder.__dlqDepthSampler = setInterval(tick, SAMPLE_EVERY_MS);
  holder.__dlqDepthSampler.unref();
  tick();
}
