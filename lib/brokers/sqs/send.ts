// Building and sending copies: attribute limits, FIFO group order and deduplication, partial batches.
import { createHash } from "node:crypto";
import { SendMessageBatchCommand, type MessageAttributeValue, type SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { BrokerError } from "../errors";
import type { PropertyValue, ReplayStamp } from "../types";
import { mapLimit, type SqsConnection, type SqsQueue } from "./client";
import { encodeAttribute, messageSize, ORIGINAL_ID_ATTRIBUTE, REPLAY_ATTRIBUTE } from "./decode";

/** SQS carries at most this many message attributes per message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;

/** One copy ready to send, or why it cannot be sent. */
export type Outgoing =
  | {
      readonly ok: true;
      readonly entry: Omit<SendMessageBatchRequestEntry, "Id">;
      readonly size: number;
      readonly group: string | null;
      /** Edited by a person: SQS may refuse its content, so in FIFO it ends its batch. */
      readonly edited: boolean;
    }
  | { readonly ok: false; readonly error: string };

export type SendResult = { readonly ok: true; readonly messageId: string | null } | { readonly ok: false; readonly error: string };

export interface CopySpec {
  readonly body: string;
  /** The attributes the copy carries before the console's own are added. */
  readonly attributes: Record<string, MessageAttributeValue>;
  /** The id consumers dedupe on: kept from an earlier replay, else the message's first id. */
  readonly originalId: string | null;
  /** What makes a repeat of this copy a repeat: the DLQ message id, or the archive's message id. */
  readonly identity: string;
  readonly group: string | null;
  readonly stamp: ReplayStamp;
  /** Where the copy came from, for the replay attribute. */
  readonly from: string;
  /** The body or attributes were edited, so SQS has not accepted this content before. */
  readonly edited?: boolean;
}

/** Properties as SQS attributes, keeping each attribute's earlier custom type where it had one. */
export function encodeProperties(
  properties: Readonly<Record<string, PropertyValue>>,
  previous: Readonly<Record<string, MessageAttributeValue>> = {},
): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(properties)) attributes[name] = encodeAttribute(value, previous[name]?.DataType);
  return attributes;
}

/** Check the limits and add the console's attributes, FIFO group and deduplication id. */
export function buildCopy(spec: CopySpec, destination: SqsQueue): Outgoing {
  const attributes: Record<string, MessageAttributeValue> = { ...spec.attributes };
  delete attributes[REPLAY_ATTRIBUTE];
  if (spec.originalId) attributes[ORIGINAL_ID_ATTRIBUTE] = { DataType: "String", StringValue: spec.originalId };
  // Everything but the replay stamp decides whether a copy is a repeat (FIFO deduplication below).
  const dedupeSource = JSON.stringify([spec.identity, destination.name, spec.body, sortedAttributes(attributes)]);
  attributes[REPLAY_ATTRIBUTE] = {
    DataType: "String",
    StringValue: JSON.stringify({
      operationId: spec.stamp.operationId,
      operator: spec.stamp.operator,
      replayCount: spec.stamp.replayCount,
      replayedAt: new Date().toISOString(),
      from: spec.from,
    }),
  };

  const count = Object.keys(attributes).length;
  if (count > MAX_MESSAGE_ATTRIBUTES) {
    return {
      ok: false,
      error: `SQS allows at most ${MAX_MESSAGE_ATTRIBUTES} message attributes; this copy would carry ${count}, including the console's ${ORIGINAL_ID_ATTRIBUTE} and ${REPLAY_ATTRIBUTE}. Remove ${count - MAX_MESSAGE_ATTRIBUTES} attribute(s) and resend.`,
    };
  }
  const size = messageSize(spec.body, attributes);
  if (size > destination.maxMessageBytes) {
    return {
      ok: false,
      error: `The copy is ${size} bytes (body and attributes); queue ${destination.name} accepts at most ${destination.maxMessageBytes} (its MaximumMessageSize).`,
    };
  }
  const group = destination.fifo ? (spec.group ?? spec.originalId ?? spec.identity) : null;
  return {
    ok: true,
    size,
    group,
    edited: spec.edited ?? false,
    entry: {
      MessageBody: spec.body,
      MessageAttributes: attributes,
      ...(destination.fifo
        ? {
            MessageGroupId: group!,
            // The same copy replayed again within SQS's 5-minute window is dropped by SQS.
            MessageDeduplicationId: createHash("sha256").update(dedupeSource).digest("hex"),
          }
        : {}),
    },
  };
}

function sortedAttributes(attributes: Record<string, MessageAttributeValue>) {
  return Object.keys(attributes)
    .sort()
    .map((name) => {
      const value = attributes[name]!;
      return [name, value.DataType, value.StringValue ?? null, value.BinaryValue ? Buffer.from(value.BinaryValue).toString("base64") : null];
    });
}

/**
 * Send copies to one queue in batches of ≤ 10 entries and ≤ MaximumMessageSize bytes. Standard
 * queues: batches in parallel. FIFO: each message group's copies in the given order, one batch at
 * a time, groups in parallel; after a failure the rest of that group is not sent, so it keeps its order.
 * SQS handles each batch entry on its own, so an entry after a refused one could still go out of
 * order; FIFO batches therefore end at each edited copy, the only kind SQS may refuse for content.
 */
export async function sendCopies(connection: SqsConnection, destination: SqsQueue, copies: readonly Outgoing[]): Promise<SendResult[]> {
  const results: SendResult[] = copies.map((copy) => (copy.ok ? { ok: false, error: "not sent" } : copy));
  const sendable = copies.flatMap((copy, index) => (copy.ok ? [index] : []));
  const groups = new Map<string, number[]>();
  if (destination.fifo) {
    for (const index of sendable) {
      const group = (copies[index] as Extract<Outgoing, { ok: true }>).group ?? "";
      groups.set(group, [...(groups.get(group) ?? []), index]);
    }
  }
  const laneList = destination.fifo ? [...groups.values()] : [sendable];

  await mapLimit(laneList, destination.fifo ? 8 : 1, async (indexes) => {
    const batches = toBatches(indexes, copies, destination.maxMessageBytes, destination.fifo);
    if (destination.fifo) {
      for (const batch of batches) {
        const failed = await sendBatch(connection, destination, batch, copies, results);
        if (failed) {
          for (const index of indexes) {
            if (!results[index]!.ok && results[index]!.error === "not sent") {
              const group = (copies[index] as Extract<Outgoing, { ok: true }>).group;
              results[index] = { ok: false, error: `Not sent: an earlier message of FIFO group "${group}" failed, and sending this one would break the group's order.` };
            }
          }
          return;
        }
      }
    } else {
      await mapLimit(batches, 4, (batch) => sendBatch(connection, destination, batch, copies, results));
    }
  });
  return results;
}

function toBatches(indexes: readonly number[], copies: readonly Outgoing[], maxBytes: number, fifo: boolean): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const index of indexes) {
    const copy = copies[index]!;
    const size = copy.ok ? copy.size : 0;
    if (current.length === 10 || (current.length > 0 && bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
    if (fifo && copy.ok && copy.edited) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Send one batch and record each entry's result; true when any entry failed. */
async function sendBatch(
  connection: SqsConnection,
  destination: SqsQueue,
  indexes: readonly number[],
  copies: readonly Outgoing[],
  results: SendResult[],
): Promise<boolean> {
  const entries = indexes.map((index) => ({ Id: String(index), ...(copies[index] as Extract<Outgoing, { ok: true }>).entry }));
  try {
    const output = await connection.call(
      (client) => client.send(new SendMessageBatchCommand({ QueueUrl: destination.url, Entries: entries })),
      destination.name,
    );
    for (const success of output.Successful ?? []) results[Number(success.Id)] = { ok: true, messageId: success.MessageId ?? null };
    for (const failure of output.Failed ?? []) {
      results[Number(failure.Id)] = { ok: false, error: `SQS refused the copy (${failure.Code ?? "error"}): ${failure.Message ?? "no message"}` };
    }
    return (output.Failed ?? []).length > 0;
  } catch (error) {
    if (!(error instanceof BrokerError)) throw error;
    // Some SQS implementations refuse a whole batch for one bad entry: find it by sending one by
    // one, in order; in FIFO the group stops at the first refusal.
    if (error.code === "invalid-request" && indexes.length > 1) {
      let failed = false;
      for (const index of indexes) {
        failed = (await sendBatch(connection, destination, [index], copies, results)) || failed;
        if (failed && destination.fifo) break;
      }
      return failed;
    }
    // The whole call failed (after retries): nothing in this batch counts as sent, so nothing is removed.
    for (const index of indexes) results[index] = { ok: false, error: error.message };
    return true;
  }
}
