// Replay, send, remove and purge. Every move is send, confirm, then delete (rule 2): only copies
// SQS accepted have their DLQ message deleted. Receipt handles are short-lived, so each action
// re-receives the messages it names by id.
import { DeleteMessageBatchCommand, PurgeQueueCommand, type Message } from "@aws-sdk/client-sqs";
import { BrokerError } from "../errors";
import type { Destination, OutgoingMessage, RemoveOutcome, ReplayOutcome, ReplayRequest, SendOutcome } from "../types";
import { receive, release, decodeContext, type SqsContext } from "./browse";
import type { SqsQueue } from "./client";
import { ORIGINAL_ID_ATTRIBUTE, sourceOf } from "./decode";
import { buildCopy, encodeProperties, sendCopies, type Outgoing } from "./send";

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Receive until every wanted id has come or the queue has nothing more to hand out, passing each
 * batch's wanted messages to `handle` at once (so FIFO groups unlock as their heads are deleted).
 * Other messages stay hidden until the end, then are released with whatever `handle` kept.
 */
async function sweep(
  context: SqsContext,
  queue: SqsQueue,
  wanted: ReadonlySet<string>,
  handle: (messages: Message[]) => Promise<string[]>,
): Promise<Set<string>> {
  const { connection } = context;
  const found = new Set<string>();
  const seen = new Set<string>();
  const toRelease: string[] = [];
  let confirming = false;
  try {
    while (found.size < wanted.size) {
      const batch = await receive(connection, queue, connection.options.actionVisibilityTimeoutSeconds, confirming ? 1 : 0);
      if (batch.length === 0) {
        if (confirming) break;
        confirming = true;
        continue;
      }
      confirming = false;
      // Only messages handed out before: their hiding ran out, so SQS has nothing new to give.
      if (batch.every((message) => seen.has(message.MessageId ?? ""))) {
        for (const message of batch) if (message.ReceiptHandle) toRelease.push(message.ReceiptHandle);
        break;
      }
      for (const message of batch) seen.add(message.MessageId ?? "");
      const matched: Message[] = [];
      for (const message of batch) {
        const id = message.MessageId ?? "";
        if (wanted.has(id) && !found.has(id)) {
          found.add(id);
          matched.push(message);
        } else if (message.ReceiptHandle) {
          toRelease.push(message.ReceiptHandle);
        }
      }
      if (matched.length > 0) toRelease.push(...(await handle(matched)));
    }
  } finally {
    await release(connection, queue, toRelease);
  }
  return found;
}

/** Delete received messages; returns the ids whose delete failed, with why. */
async function deleteMessages(context: SqsContext, queue: SqsQueue, messages: readonly Message[]): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    const output = await context.connection.call(
      (client) =>
        client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
          }),
        ),
      queue.name,
    );
    for (const failure of output.Failed ?? []) {
      failures.set(chunk[Number(failure.Id)]!.MessageId ?? "", `${failure.Code ?? "error"}: ${failure.Message ?? "delete failed"}`);
    }
  }
  return failures;
}

const notReceived = (queue: SqsQueue) =>
  queue.fifo
    ? "SQS did not hand this message out: it is gone, or it sits behind an unselected message of its FIFO group."
    : null;

/** Move messages out of a DLQ: send each copy, then delete the DLQ message whose copy SQS accepted. */
export async function replay(context: SqsContext, queueId: string, requests: readonly ReplayRequest[]): Promise<ReplayOutcome[]> {
  const { connection } = context;
  const queue = await connection.queue(queueId);
  const decode = await decodeContext(context, queue);
  const byId = new Map(requests.map((request) => [request.id, request]));
  const outcomes = new Map<string, ReplayOutcome>();

  await sweep(context, queue, new Set(byId.keys()), async (messages) => {
    // Keep the order SQS handed them out in: a FIFO receive returns each group's messages in
    // order (sequence numbers are not compared: local-aws-sqs does not make them monotonic).
    const byDestination = new Map<string, Message[]>();
    for (const message of messages) {
      const request = byId.get(message.MessageId!)!;
      const target = request.destination?.id ?? sourceOf(message, decode.sources)?.name;
      if (!target) {
        outcomes.set(message.MessageId!, { id: message.MessageId!, status: "failed", error: "SQS did not say which queue this message came from; choose a destination." });
        continue;
      }
      byDestination.set(target, [...(byDestination.get(target) ?? []), message]);
    }
    const keep: string[] = [];
    for (const [target, group] of byDestination) keep.push(...(await replayTo(context, queue, target, group, byId, outcomes)));
    // Failed and kept messages stay hidden until the sweep ends, so they are not received twice.
    return keep;
  });

  return requests.map(
    (request) => outcomes.get(request.id) ?? (notReceived(queue) ? { id: request.id, status: "failed", error: notReceived(queue)! } : { id: request.id, status: "not-found" }),
  );
}

async function replayTo(
  context: SqsContext,
  queue: SqsQueue,
  target: string,
  messages: readonly Message[],
  byId: ReadonlyMap<string, ReplayRequest>,
  outcomes: Map<string, ReplayOutcome>,
): Promise<string[]> {
  let destination: SqsQueue;
  try {
    destination = await context.connection.queue(target);
  } catch (error) {
    if (!(error instanceof BrokerError)) throw error;
    for (const message of messages) outcomes.set(message.MessageId!, { id: message.MessageId!, status: "failed", error: error.message });
    return messages.map((message) => message.ReceiptHandle!);
  }
  const copies = messages.map((message) => copyOf(context, message, byId.get(message.MessageId!)!, queue, destination));
  const results = await sendCopies(context.connection, destination, copies);

  const toDelete: Message[] = [];
  const keep: string[] = [];
  messages.forEach((message, index) => {
    const id = message.MessageId!;
    const result = results[index]!;
    if (!result.ok) {
      outcomes.set(id, { id, status: "failed", error: result.error });
      keep.push(message.ReceiptHandle!);
    } else if (byId.get(id)!.keepOriginal) {
      outcomes.set(id, { id, status: "sent-kept", sentMessageId: result.messageId });
      keep.push(message.ReceiptHandle!);
    } else {
      outcomes.set(id, { id, status: "moved", sentMessageId: result.messageId });
      toDelete.push(message);
    }
  });
  const deleteFailures = await deleteMessages(context, queue, toDelete).catch((error: unknown) => {
    if (!(error instanceof BrokerError)) throw error;
    return new Map(toDelete.map((message) => [message.MessageId!, error.message]));
  });
  for (const [id, error] of deleteFailures) {
    const sent = outcomes.get(id);
    outcomes.set(id, { id, status: "sent-not-removed", sentMessageId: sent && "sentMessageId" in sent ? sent.sentMessageId : null, error });
  }
  return keep;
}

function copyOf(context: SqsContext, message: Message, request: ReplayRequest, queue: SqsQueue, destination: SqsQueue): Outgoing {
  let body = message.Body ?? "";
  if (request.body) {
    try {
      body = fatalUtf8.decode(request.body);
    } catch (error) {
      if (error instanceof TypeError) return { ok: false, error: "SQS bodies are UTF-8 text; the edited body is not valid UTF-8." };
      throw error;
    }
  }
  const original = message.MessageAttributes ?? {};
  const attributes = request.properties ? encodeProperties(request.properties, original) : { ...original };
  if (request.contentType !== undefined) {
    const names = context.connection.options.contentTypeAttributes;
    const used = names.find((name) => name in attributes) ?? names[0];
    for (const name of names) delete attributes[name];
    if (request.contentType !== null && used) attributes[used] = { DataType: "String", StringValue: request.contentType };
  }
  return buildCopy(
    {
      body,
      attributes,
      originalId: original[ORIGINAL_ID_ATTRIBUTE]?.StringValue ?? message.MessageId ?? null,
      identity: `${queue.name}/${message.MessageId}`,
      group: message.Attributes?.MessageGroupId ?? null,
      stamp: request.stamp,
      from: queue.name,
      edited: request.body !== undefined || request.properties !== undefined || request.contentType !== undefined,
    },
    destination,
  );
}

/** Send new messages (restore from archive) to a queue, FIFO groups in the given order. */
export async function send(context: SqsContext, destination: Destination, messages: readonly OutgoingMessage[]): Promise<SendOutcome[]> {
  const queue = await context.connection.queue(destination.id);
  const copies = messages.map((message, index): Outgoing => {
    let body: string;
    try {
      body = fatalUtf8.decode(message.body);
    } catch (error) {
      if (error instanceof TypeError) return { ok: false, error: "SQS bodies are UTF-8 text; this body is not valid UTF-8." };
      throw error;
    }
    const attributes = encodeProperties(message.properties);
    const names = context.connection.options.contentTypeAttributes;
    if (message.contentType && names[0] && !names.some((name) => name in attributes)) {
      attributes[names[0]] = { DataType: "String", StringValue: message.contentType };
    }
    return buildCopy(
      {
        body,
        attributes,
        originalId: message.messageId,
        identity: message.messageId ?? `${message.stamp.operationId}#${index}`,
        group: message.partitionKey,
        stamp: message.stamp,
        from: "archive",
      },
      queue,
    );
  });
  const results = await sendCopies(context.connection, queue, copies);
  return results.map((result, index) =>
    result.ok ? { index, status: "sent", sentMessageId: result.messageId } : { index, status: "failed", error: result.error },
  );
}

/** Delete the named messages from a DLQ. */
export async function remove(context: SqsContext, queueId: string, ids: readonly string[]): Promise<RemoveOutcome[]> {
  const queue = await context.connection.queue(queueId);
  const failures = new Map<string, string>();
  await sweep(context, queue, new Set(ids), async (messages) => {
    for (const [id, error] of await deleteMessages(context, queue, messages)) failures.set(id, error);
    return [];
  }).then((found) => {
    for (const id of ids) if (!found.has(id)) failures.set(id, "not-found");
  });
  return ids.map((id): RemoveOutcome => {
    const failure = failures.get(id);
    if (failure === undefined) return { id, status: "removed" };
    if (failure === "not-found") return notReceived(queue) ? { id, status: "failed", error: notReceived(queue)! } : { id, status: "not-found" };
    return { id, status: "failed", error: failure };
  });
}

/** PurgeQueue: SQS allows one per queue every 60 s and may take up to 60 s to finish; it does not say how many. */
export async function purge(context: SqsContext, queueId: string): Promise<{ removed: number | null }> {
  const queue = await context.connection.queue(queueId);
  await context.connection.call((client) => client.send(new PurgeQueueCommand({ QueueUrl: queue.url })), queue.name);
  return { removed: null };
}
