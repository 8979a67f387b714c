// Replay and send. Every move is send, confirm, then remove (rule 2): a copy is sent in a batch,
// and only once Service Bus accepted the batch is the DLQ copy completed. A lock lost before the
// send keeps the message out of the batch (failed, still in the DLQ); a lock lost after it leaves
// a duplicate (sent-not-removed), never a gap. Messages go out in DLQ sequence order, one batch at
// a time per destination, and a session whose message failed sends nothing after it (rule 4).
import type { AmqpAnnotatedMessage } from "@azure/core-amqp";
import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import type { Destination, OutgoingMessage, ReplayOutcome, ReplayRequest, SendOutcome } from "../types";
import { requireDlq, type DlqAddress } from "./address";
import type { ServicebusContext } from "./browse";
import { errorText, isLockLost, mapLimit } from "./client";
import { buildCopy, stampProperties, toAmqpProperty, type AmqpPropertyValue } from "./copy";
import { DEAD_LETTER_PROPERTIES, sequenceOf } from "./decode";
import { withLocated, type Located } from "./locks";
import { ensureReplayRule, planRoute, REPLAY_TARGET_PROPERTY, type RoutePlan, type RoutingView, type RuleCache } from "./route";

/** One message ready to go: its copy and what to do after the send. */
interface Pending {
  readonly index: number;
  readonly sequence: string;
  readonly key: string | null;
  readonly copy: AmqpAnnotatedMessage;
  readonly source?: ServiceBusReceivedMessage;
  readonly keepOriginal: boolean;
}

type Settle = (item: Pending) => Promise<void>;

/** The routing view of a received message as its copy will carry it. */
function viewOfCopy(copy: AmqpAnnotatedMessage, enqueuedAt: Date | null = null): RoutingView {
  const properties = copy.properties ?? {};
  const text = (value: unknown) => (value === undefined || value === null ? null : String(value));
  return {
    messageId: text(properties.messageId),
    correlationId: text(properties.correlationId),
    to: text(properties.to),
    replyTo: text(properties.replyTo),
    subject: text(properties.subject),
    sessionId: text(properties.groupId),
    replyToSessionId: text(properties.replyToGroupId),
    contentType: text(properties.contentType),
    properties: copy.applicationProperties ?? {},
    enqueuedAt,
  };
}

const messageIdOf = (copy: AmqpAnnotatedMessage) => (copy.properties?.messageId === undefined ? null : String(copy.properties.messageId));

/**
 * Send items (already in order) to one entity in batches. `onSent` runs for each item of a batch
 * Service Bus accepted; `onFailed` for each item not sent.
 */
async function sendInOrder(
  context: ServicebusContext,
  sendTo: string,
  items: readonly Pending[],
  beforeAdd: (item: Pending) => Promise<string | null>,
  onSent: Settle,
  onFailed: (item: Pending, error: string) => void,
): Promise<void> {
  const { connection } = context;
  const sender = connection.sender(sendTo);
  const brokenKeys = new Map<string, string>();
  let next = 0;
  while (next < items.length) {
    let batch;
    try {
      batch = await connection.call(sendTo, () => sender.createMessageBatch());
    } catch (error) {
      await connection.dropSender(sendTo);
      for (const item of items.slice(next)) onFailed(item, errorText(error));
      return;
    }
    const inBatch: Pending[] = [];
    while (next < items.length) {
      const item = items[next]!;
      const broken = item.key === null ? undefined : brokenKeys.get(item.key);
      if (broken) {
        onFailed(item, `held back to keep session ${item.key} in order: an earlier message of it was not sent (${broken})`);
        next++;
        continue;
      }
      const refused = await beforeAdd(item);
      if (refused) {
        onFailed(item, refused);
        if (item.key !== null) brokenKeys.set(item.key, refused);
        next++;
        continue;
      }
      if (batch.tryAddMessage(item.copy)) {
        inBatch.push(item);
        next++;
        continue;
      }
      if (inBatch.length > 0) break; // full: send this batch, the item starts the next one
      const tooLarge = `the message is larger than ${sendTo} accepts (${batch.maxSizeInBytes} bytes per message)`;
      onFailed(item, tooLarge);
      if (item.key !== null) brokenKeys.set(item.key, tooLarge);
      next++;
    }
    if (inBatch.length === 0) continue;
    try {
      await connection.call(sendTo, () => sender.sendMessages(batch));
    } catch (error) {
      await connection.dropSender(sendTo);
      const text = errorText(error);
      for (const item of inBatch) {
        onFailed(item, text);
        if (item.key !== null) brokenKeys.set(item.key, text);
      }
      continue;
    }
    await mapLimit(inBatch, 16, onSent);
  }
}

/** Renew a lock about to lapse before its message joins a batch; why it cannot go, or null. */
async function lockStillHeld(located: Located, message: ServiceBusReceivedMessage): Promise<string | null> {
  const until = message.lockedUntilUtc?.getTime() ?? 0;
  if (until - Date.now() > 2000) return null;
  try {
    await located.receiver.renewMessageLock(message);
    return null;
  } catch (error) {
    if (isLockLost(error)) return `the DLQ lock was lost before the send; nothing was sent and the message stays in the DLQ (${errorText(error)})`;
    // Sending without a lock we can vouch for could leave a copy we cannot complete; hold it back.
    return `the DLQ lock could not be renewed before the send, so nothing was sent (${errorText(error)})`;
  }
}

/** Move messages out of a DLQ (see the header comment). */
export async function replay(context: ServicebusContext, queueId: string, requests: readonly ReplayRequest[]): Promise<ReplayOutcome[]> {
  const address = requireDlq(context.connection.broker, queueId);
  const outcomes: (ReplayOutcome | undefined)[] = new Array(requests.length);
  const firstIndex = new Map<string, number>();
  requests.forEach((request, index) => {
    if (firstIndex.has(request.id)) outcomes[index] = { id: request.id, status: "failed", error: "listed more than once in this request; replayed once" };
    else firstIndex.set(request.id, index);
  });
  await withLocated(context, address, [...firstIndex.keys()], async (located) => {
    for (const [id, index] of firstIndex) {
      if (located.missing.has(id)) outcomes[index] = { id, status: "not-found" };
      const why = located.unreachable.get(id);
      if (why) outcomes[index] = { id, status: "failed", error: why, ...(located.lockedElsewhere.has(id) ? { retry: "locked" as const } : {}) };
    }
    const groups = await planAll(context, address, requests, firstIndex, located, outcomes);
    for (const [sendTo, items] of groups) {
      await sendInOrder(
        context,
        sendTo,
        items,
        (item) => lockStillHeld(located, item.source!),
        async (item) => {
          const { id } = requests[item.index]!;
          const sentMessageId = messageIdOf(item.copy);
          if (item.keepOriginal) {
            outcomes[item.index] = { id, status: "sent-kept", sentMessageId };
            return; // left for withLocated to abandon
          }
          try {
            await located.receiver.completeMessage(item.source!);
            located.settled(item.sequence);
            outcomes[item.index] = { id, status: "moved", sentMessageId };
          } catch (error) {
            outcomes[item.index] = {
              id,
              status: "sent-not-removed",
              sentMessageId,
              error: `sent, but completing the DLQ copy failed, so it is still there (a duplicate): ${errorText(error)}`,
            };
          }
        },
        (item, error) => {
          outcomes[item.index] = { id: requests[item.index]!.id, status: "failed", error };
        },
      );
    }
  });
  return requests.map((request, index) => outcomes[index] ?? { id: request.id, status: "failed", error: "not attempted" });
}

/** Build each found message's copy and route; group them by destination entity in sequence order. */
async function planAll(
  context: ServicebusContext,
  address: DlqAddress,
  requests: readonly ReplayRequest[],
  firstIndex: ReadonlyMap<string, number>,
  located: Located,
  outcomes: (ReplayOutcome | undefined)[],
): Promise<Map<string, Pending[]>> {
  const cache: RuleCache = new Map();
  const groups = new Map<string, Pending[]>();
  const found = [...located.found.values()].sort((a, b) => a.sequenceNumber!.compare(b.sequenceNumber!));
  for (const message of found) {
    const sequence = sequenceOf(message);
    const index = firstIndex.get(sequence);
    if (index === undefined) continue;
    const request = requests[index]!;
    const draft = buildCopy(message, request, {});
    if (typeof draft === "string") {
      outcomes[index] = { id: request.id, status: "failed", error: draft };
      continue;
    }
    let plan: RoutePlan;
    try {
      plan = await planRoute(context, address, viewOfCopy(draft, message.enqueuedTimeUtc ?? null), request.destination, cache);
      if (plan.addRuleTo && !plan.blocked) await ensureReplayRule(context, plan.addRuleTo, cache);
    } catch (error) {
      outcomes[index] = { id: request.id, status: "failed", error: errorText(error) };
      continue;
    }
    if (plan.blocked) {
      outcomes[index] = { id: request.id, status: "failed", error: `refused: ${plan.blocked}` };
      continue;
    }
    const extra: Record<string, AmqpPropertyValue> = plan.replayTarget ? { [REPLAY_TARGET_PROPERTY]: plan.replayTarget } : {};
    const copy = buildCopy(message, request, extra) as AmqpAnnotatedMessage;
    const key = message.sessionId ?? message.partitionKey ?? null;
    const group = groups.get(plan.sendTo.id) ?? [];
    group.push({ index, sequence, key, copy, source: message, keepOriginal: request.keepOriginal === true });
    groups.set(plan.sendTo.id, group);
  }
  return groups;
}

/** Send new messages (restore from archive) to a queue or topic, in the given order. */
export async function send(context: ServicebusContext, destination: Destination, messages: readonly OutgoingMessage[]): Promise<SendOutcome[]> {
  const outcomes: (SendOutcome | undefined)[] = new Array(messages.length);
  const kind = await context.discovery.kindOf(destination.id);
  if (kind === null) {
    return messages.map((_, index) => ({ index, status: "failed", error: `no queue or topic named "${destination.id}" exists` }));
  }
  const items: Pending[] = messages.map((message, index) => {
    const properties = Object.fromEntries(
      Object.entries(message.properties)
        .filter(([key]) => !(DEAD_LETTER_PROPERTIES as readonly string[]).includes(key))
        .map(([key, value]) => [key, toAmqpProperty(value)]),
    );
    const copy: AmqpAnnotatedMessage = {
      body: Buffer.from(message.body),
      bodyType: "data",
      properties: {
        ...(message.messageId !== null ? { messageId: message.messageId } : {}),
        ...(message.contentType !== null ? { contentType: message.contentType } : {}),
        // The common model has one partition key: it becomes the session id (and the partition key must equal it).
        ...(message.partitionKey !== null ? { groupId: message.partitionKey } : {}),
      },
      messageAnnotations: message.partitionKey !== null ? { "x-opt-partition-key": message.partitionKey } : {},
      applicationProperties: { ...properties, ...stampProperties(message.stamp) } as AmqpAnnotatedMessage["applicationProperties"],
    };
    return { index, sequence: String(index), key: message.partitionKey, copy, keepOriginal: true };
  });
  const address: DlqAddress = { id: destination.id, entity: { kind: "queue", queue: destination.id }, subQueue: "deadLetter" };
  const cache: RuleCache = new Map();
  await sendInOrder(
    context,
    destination.id,
    items,
    async (item) => {
      if (kind !== "topic") return null;
      const plan = await planRoute(context, address, viewOfCopy(item.copy), destination, cache);
      return plan.blocked ? `refused: ${plan.blocked}` : null;
    },
    async (item) => {
      outcomes[item.index] = { index: item.index, status: "sent", sentMessageId: messageIdOf(item.copy) };
    },
    (item, error) => {
      outcomes[item.index] = { index: item.index, status: "failed", error };
    },
  );
  return messages.map((_, index) => outcomes[index] ?? { index, status: "failed", error: "not attempted" });
}
