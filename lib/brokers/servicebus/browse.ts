// Browse: peekMessages with an explicit fromSequenceNumber, so paging never depends on the SDK's
// per-path peek cursor (see sandbox/servicebus/README.md, "SDK quirks"). A peek may return fewer
// messages than asked even when more follow (the portal's "100 at a time" shows this), so a page
// peeks until it has limit + 1 messages or the DLQ has nothing further.
import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import Long from "long";
import { brokerError, BrokerError } from "../errors";
import type { BrowseOptions, BrowsePage, DeadLetter } from "../types";
import { isSequenceNumber, requireDlq, type DlqAddress } from "./address";
import type { ServicebusConnection } from "./client";
import { decodeMessage, sequenceOf } from "./decode";
import type { ServicebusDiscovery } from "./discovery";

export interface ServicebusContext {
  readonly connection: ServicebusConnection;
  readonly discovery: ServicebusDiscovery;
}

/** The largest peek Service Bus serves in one call. */
const PEEK_BATCH = 250;

export const toLong = (sequence: string | number): Long => Long.fromString(String(sequence));

/** Up to `count` messages from sequence number `from` on, in sequence order. */
export async function peekFrom(context: ServicebusContext, address: DlqAddress, from: Long, count: number): Promise<ServiceBusReceivedMessage[]> {
  const receiver = context.connection.peeker(address);
  const messages: ServiceBusReceivedMessage[] = [];
  let next = from;
  while (messages.length < count) {
    const batch = await context.connection.call(address.id, () =>
      receiver.peekMessages(Math.min(PEEK_BATCH, count - messages.length), { fromSequenceNumber: next }),
    );
    if (batch.length === 0) break;
    messages.push(...batch);
    next = batch.at(-1)!.sequenceNumber!.add(1);
  }
  return messages;
}

/** The cap a dead letter hit: the source entity's maxDeliveryCount, when the admin API says. */
async function capOf(context: ServicebusContext, address: DlqAddress): Promise<number | null> {
  try {
    const settings = await context.discovery.settings(address.entity);
    return settings?.maxDeliveryCount ?? null;
  } catch (error) {
    // Reading settings needs the Manage claim; a browse with Listen only shows no cap.
    if (error instanceof BrokerError && error.code === "access-denied") return null;
    throw error;
  }
}

function parseCursor(broker: string, queueId: string, cursor: string | null | undefined): Long {
  if (!cursor) return Long.ZERO;
  if (!isSequenceNumber(cursor)) throw brokerError("invalid-request", broker, "invalid browse cursor", { queue: queueId });
  return toLong(cursor);
}

/** A page of the DLQ, oldest sequence number first; the cursor is the next sequence number to read. */
export async function browse(context: ServicebusContext, queueId: string, options: BrowseOptions): Promise<BrowsePage> {
  const { broker } = context.connection;
  const address = requireDlq(broker, queueId);
  const from = parseCursor(broker, queueId, options.cursor);
  const limit = Math.max(1, options.limit);
  const [peeked, cap] = await Promise.all([peekFrom(context, address, from, limit + 1), capOf(context, address)]);
  const page = peeked.slice(0, limit);
  const more = peeked.length > limit;
  return {
    messages: page.map((message) => decodeMessage(message, address, cap)),
    nextCursor: more ? peeked[limit]!.sequenceNumber!.toString() : null,
    warnings: [],
  };
}

/** One message by its DLQ sequence number, or null when it is not there. */
export async function getMessage(context: ServicebusContext, queueId: string, id: string): Promise<DeadLetter | null> {
  const address = requireDlq(context.connection.broker, queueId);
  const [found] = await peekExact(context, address, [id]);
  if (!found) {
    // Still say not-found for a DLQ that does not exist, rather than null.
    await peekFrom(context, address, Long.ZERO, 1);
    return null;
  }
  return decodeMessage(found, address, await capOf(context, address));
}

/**
 * The messages with these sequence numbers that the DLQ holds now (any order). Few ids: one
 * peek each. Many: one walk over the range they span.
 */
export async function peekExact(context: ServicebusContext, address: DlqAddress, ids: readonly string[]): Promise<ServiceBusReceivedMessage[]> {
  const wanted = [...new Set(ids.filter(isSequenceNumber))].map(toLong).sort((a, b) => a.compare(b));
  if (wanted.length === 0) return [];
  const keys = new Set(wanted.map((sequence) => sequence.toString()));
  if (wanted.length <= 16) {
    const found: ServiceBusReceivedMessage[] = [];
    for (const sequence of wanted) {
      const [message] = await peekFrom(context, address, sequence, 1);
      if (message && message.sequenceNumber!.equals(sequence)) found.push(message);
    }
    return found;
  }
  const found: ServiceBusReceivedMessage[] = [];
  const last = wanted.at(-1)!;
  let next = wanted[0]!;
  for (;;) {
    const batch = await peekFrom(context, address, next, PEEK_BATCH);
    for (const message of batch) if (keys.has(sequenceOf(message))) found.push(message);
    if (batch.length < PEEK_BATCH || batch.at(-1)!.sequenceNumber!.greaterThanOrEqual(last)) return found;
    next = batch.at(-1)!.sequenceNumber!.add(1);
  }
}
