// Remove and purge. Remove locks the named messages (locks.ts) and completes them. Purge is the
// one place receive-and-delete is used, because deleting is the point: batches of receives, then
// the deferred messages (which no plain receive hands out) by sequence number. lib/operations
// archives a DLQ before it purges it.
import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import Long from "long";
import { BrokerError } from "../errors";
import type { RemoveOutcome } from "../types";
import { requireDlq, type DlqAddress } from "./address";
import { peekFrom, type ServicebusContext } from "./browse";
import { errorText, mapLimit } from "./client";
import { withLocated } from "./locks";

/** Remove the messages with these sequence numbers from the DLQ. */
export async function remove(context: ServicebusContext, queueId: string, ids: readonly string[]): Promise<RemoveOutcome[]> {
  const address = requireDlq(context.connection.broker, queueId);
  const unique = [...new Set(ids)];
  const outcomes = new Map<string, RemoveOutcome>();
  await withLocated(context, address, unique, async (located) => {
    for (const id of located.missing) outcomes.set(id, { id, status: "not-found" });
    for (const [id, error] of located.unreachable) outcomes.set(id, { id, status: "failed", error });
    await mapLimit([...located.found], 16, async ([id, message]) => {
      try {
        await located.receiver.completeMessage(message);
        located.settled(id);
        outcomes.set(id, { id, status: "removed" });
      } catch (error) {
        outcomes.set(id, { id, status: "failed", error: `completing it failed, so it is still in the DLQ: ${errorText(error)}` });
      }
    });
  });
  return ids.map((id) => outcomes.get(id) ?? { id, status: "failed", error: "not attempted" });
}

/** Messages per receive when purging. */
export const PURGE_BATCH = 500;
const DEFERRED_BATCH = 250;

/** How many messages the DLQ held when the purge began, so messages arriving meanwhile are left alone. */
async function depthAtStart(context: ServicebusContext, address: DlqAddress): Promise<number | null> {
  const { admin } = context.connection;
  const { entity } = address;
  let counts: { deadLetterMessageCount: number; transferDeadLetterMessageCount: number };
  try {
    counts = await context.connection.call(address.id, async () =>
      entity.kind === "queue"
        ? await admin.getQueueRuntimeProperties(entity.queue)
        : await admin.getSubscriptionRuntimeProperties(entity.topic, entity.subscription),
    );
  } catch (error) {
    // Without the Manage claim there is no count: purge everything the receiver hands out.
    if (error instanceof BrokerError && error.code === "access-denied") return null;
    throw error;
  }
  return address.subQueue === "deadLetter" ? counts.deadLetterMessageCount : counts.transferDeadLetterMessageCount;
}

/** Remove every message of the DLQ, deferred ones included; returns how many were removed. */
export async function purge(context: ServicebusContext, queueId: string): Promise<{ removed: number | null }> {
  const address = requireDlq(context.connection.broker, queueId);
  const { connection } = context;
  const limit = await depthAtStart(context, address);
  if (limit === 0) return { removed: 0 };
  const receiver = connection.receiver(address, "receiveAndDelete");
  let removed = 0;
  try {
    const remaining = () => (limit === null ? PURGE_BATCH : Math.min(PURGE_BATCH, limit - removed));
    while (remaining() > 0) {
      const batch = await connection.call(address.id, () => receiver.receiveMessages(remaining(), { maxWaitTimeInMs: connection.options.receiveWaitMs }));
      if (batch.length === 0) break;
      removed += batch.length;
    }
    // What is left is deferred (or locked by someone else, or newer than the purge).
    const deferred = await deferredSequenceNumbers(context, address);
    for (let start = 0; start < deferred.length && (limit === null || removed < limit); start += DEFERRED_BATCH) {
      const chunk = deferred.slice(start, start + DEFERRED_BATCH);
      const received: ServiceBusReceivedMessage[] = await connection.call(address.id, () => receiver.receiveDeferredMessages(chunk));
      removed += received.length;
    }
  } finally {
    await receiver.close();
  }
  return { removed };
}

async function deferredSequenceNumbers(context: ServicebusContext, address: DlqAddress): Promise<Long[]> {
  const found: Long[] = [];
  let next = Long.ZERO;
  for (;;) {
    const page = await peekFrom(context, address, next, 1000);
    for (const message of page) if (message.state === "deferred") found.push(message.sequenceNumber!);
    if (page.length < 1000) return found;
    next = page.at(-1)!.sequenceNumber!.add(1);
  }
}
