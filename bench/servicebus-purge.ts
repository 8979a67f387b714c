// Purge throughput of the Service Bus adapter on the in-process emulator, as a ratio against a
// baseline measured in the same run: the naive purge, one receive (peek-lock) + complete per
// message, on a smaller DLQ, scaled by rate. Run: npx tsx bench/servicebus-purge.ts [count]
import { ServiceBusClient } from "@azure/service-bus";
import { createServicebusAdapter } from "../lib/brokers/servicebus";
import { startEmulator } from "../sandbox/servicebus/emulator";

const TOTAL = Number(process.argv[2] ?? 20_000);
const BASELINE = Math.max(200, Math.round(TOTAL / 20));

async function fill(client: ServiceBusClient, admin: () => Promise<number>, queue: string, count: number): Promise<void> {
  const sender = client.createSender(queue);
  const body = Buffer.alloc(512, 0x61);
  for (let start = 0; start < count; start += 250) {
    const size = Math.min(250, count - start);
    await sender.sendMessages(Array.from({ length: size }, (_, index) => ({ body, messageId: `bench-${start + index}` })));
  }
  await sender.close();
  // The queue dead-letters on expiry and its TTL is 1 ms: the broker itself fills the DLQ.
  const deadline = Date.now() + 120_000;
  while ((await admin()) < count) {
    if (Date.now() > deadline) throw new Error(`the DLQ of ${queue} did not fill`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  const settings = { defaultMessageTimeToLiveMs: 1, deadLetteringOnMessageExpiration: true };
  const emulator = await startEmulator({ queues: [{ name: "baseline", ...settings }, { name: "bulk", ...settings }] });
  const client = new ServiceBusClient(emulator.connectionString);
  const adapter = createServicebusAdapter({ name: "bench", connection: { connectionString: emulator.connectionString } });
  const depth = (queue: string) => async () =>
    (await adapter.listDeadLetterQueues()).find((dlq) => dlq.id === `${queue}/$DeadLetterQueue`)?.depth ?? 0;
  try {
    await fill(client, depth("baseline"), "baseline", BASELINE);
    const naive = client.createReceiver("baseline", { subQueueType: "deadLetter" });
    let started = performance.now();
    for (let removed = 0; removed < BASELINE; ) {
      const [message] = await naive.receiveMessages(1, { maxWaitTimeInMs: 5000 });
      if (!message) throw new Error(`baseline: DLQ empty after ${removed}`);
      await naive.completeMessage(message);
      removed += 1;
    }
    const baselineRate = BASELINE / ((performance.now() - started) / 1000);
    await naive.close();

    await fill(client, depth("bulk"), "bulk", TOTAL);
    started = performance.now();
    const { removed } = await adapter.purge("bulk/$DeadLetterQueue");
    const seconds = (performance.now() - started) / 1000;
    const left = await depth("bulk")();
    if (removed !== TOTAL || left !== 0) throw new Error(`purge removed ${removed} of ${TOTAL}; ${left} left`);
    const rate = TOTAL / seconds;
    console.log(`naive receive+complete: ${BASELINE} messages, ${baselineRate.toFixed(0)} msg/s`);
    console.log(`adapter purge:          ${TOTAL} messages in ${seconds.toFixed(2)} s, ${rate.toFixed(0)} msg/s (${(rate * 60).toFixed(0)} per minute)`);
    console.log(`ratio: ${(rate / baselineRate).toFixed(1)}x the naive rate (naive would take ${(TOTAL / baselineRate).toFixed(1)} s for ${TOTAL})`);
  } finally {
    await adapter.close();
    await client.close();
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
