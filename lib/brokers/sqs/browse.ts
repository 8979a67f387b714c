// Reading a DLQ without a peek: receive with a short visibility timeout, then release.
//
// What "oldest first" means on SQS: SQS hands messages out in no promised order and has no
// positions. A browse therefore receives up to `browseWindow` messages (holding them hidden so
// none comes twice), releases them all at once, and sorts them by SentTimestamp (ms), then FIFO
// SequenceNumber, then MessageId. The cursor is the sort key of the last message shown; the next
// page re-reads the window and shows what sorts after it. For a DLQ within the window this is
// exact and stable (removals do not shift pages); past it, each page shows the oldest of what
// SQS handed out, so use scan() to read the whole DLQ into an index.
// FIFO: SQS hands out no more of a message group while any of it is in flight, so a read sees only
// the head of each group (up to 10 on AWS, 1 on fauxqs); the page says so in its warnings.
import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { brokerError } from "../errors";
import type { BrowseOptions, BrowsePage, DeadLetter } from "../types";
import type { SqsConnection, SqsQueue } from "./client";
import { compareOrderKeys, decodeMessage, orderKey, type DecodeContext } from "./decode";
import type { SqsDiscovery } from "./discovery";

export interface SqsContext {
  readonly connection: SqsConnection;
  readonly discovery: SqsDiscovery;
}

/** Receive up to 10 messages with every attribute, hidden for `visibilitySeconds` (≥ 1, never 0). */
export async function receive(connection: SqsConnection, queue: SqsQueue, visibilitySeconds: number, waitSeconds: number): Promise<Message[]> {
  const output = await connection.call(
    (client) =>
      client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: Math.max(1, visibilitySeconds),
          WaitTimeSeconds: waitSeconds,
          // Both spellings: AWS accepts either, and local-aws-sqs reads only the older one.
          AttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
      ),
    queue.name,
  );
  return output.Messages ?? [];
}

/** Make received messages visible again at once. A handle that expired meanwhile needs no release. */
export async function release(connection: SqsConnection, queue: SqsQueue, receiptHandles: readonly string[]): Promise<void> {
  const chunks: string[][] = [];
  for (let start = 0; start < receiptHandles.length; start += 10) chunks.push(receiptHandles.slice(start, start + 10));
  for (const chunk of chunks) {
    // Per-entry failures (handle expired, message already visible or deleted) leave the message
    // where a release would have put it; call-level failures still throw.
    await connection.call(
      (client) =>
        client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queue.url,
            Entries: chunk.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: 0 })),
          }),
        ),
      queue.name,
    );
  }
}

export interface ReceiveLoopOptions {
  readonly visibilitySeconds: number;
  /** Stop once this many distinct messages are held. */
  readonly limit: number;
  /** Stop early once this says so (e.g. the one message looked for has come). */
  readonly done?: (received: ReadonlyMap<string, Message>) => boolean;
}

/**
 * Receive distinct messages until the limit, `done`, or the queue has nothing more to hand out
 * (a short poll came back empty and a 1 s long poll confirmed it). Every handle is returned for release.
 */
export async function receiveDistinct(connection: SqsConnection, queue: SqsQueue, options: ReceiveLoopOptions) {
  const received = new Map<string, Message>();
  const receiptHandles: string[] = [];
  let confirming = false;
  try {
    while (received.size < options.limit && !options.done?.(received)) {
      const batch = await receive(connection, queue, options.visibilitySeconds, confirming ? 1 : 0);
      if (batch.length === 0) {
        if (confirming) break;
        confirming = true;
        continue;
      }
      confirming = false;
      const repeatsOnly = batch.every((message) => received.has(message.MessageId ?? ""));
      for (const message of batch) {
        if (message.ReceiptHandle) receiptHandles.push(message.ReceiptHandle);
        // Keep the newest copy: only its receipt handle is still valid.
        if (message.MessageId) received.set(message.MessageId, message);
      }
      // Only repeats: the first ones' hiding ran out before the read ended, so it has seen them all.
      if (repeatsOnly) break;
    }
  } catch (error) {
    await release(connection, queue, receiptHandles);
    throw error;
  }
  return { received, receiptHandles };
}

/** The decode context for one DLQ: its sources from (cached) discovery plus the options. */
export async function decodeContext(context: SqsContext, queue: SqsQueue): Promise<DecodeContext> {
  let snapshot = await context.discovery.current();
  // A DLQ newer than the cached discovery: look again rather than decode without its sources.
  if (!snapshot.sources.has(queue.name)) snapshot = await context.discovery.current(0);
  return {
    queueName: queue.name,
    sources: snapshot.sources.get(queue.name) ?? [],
    reasonAttributes: context.connection.options.reasonAttributes,
    contentTypeAttributes: context.connection.options.contentTypeAttributes,
  };
}

type OrderKey = readonly [number, bigint, string];
const encodeCursor = (key: OrderKey) => Buffer.from(JSON.stringify([key[0], key[1].toString(), key[2]])).toString("base64url");
function decodeCursor(cursor: string, broker: string, queue: string): OrderKey {
  try {
    const [sent, sequence, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [number, string, string];
    const key: OrderKey = [Number(sent), BigInt(sequence), String(id)];
    if (Number.isFinite(key[0])) return key;
  } catch (error) {
    if (!(error instanceof SyntaxError || error instanceof TypeError || error instanceof RangeError)) throw error;
  }
  throw brokerError("invalid-request", broker, "the page cursor is not one this adapter issued", { queue });
}

/** One page of a DLQ, oldest first within the browse window (see the top of this file). */
export async function browse(context: SqsContext, queueId: string, options: BrowseOptions): Promise<BrowsePage> {
  const { connection } = context;
  const queue = await connection.queue(queueId);
  const after = options.cursor ? decodeCursor(options.cursor, connection.broker, queueId) : null;
  const window = connection.options.browseWindow;
  const { received, receiptHandles } = await receiveDistinct(connection, queue, {
    visibilitySeconds: connection.options.browseVisibilityTimeoutSeconds,
    limit: window,
  });
  await release(connection, queue, receiptHandles);

  const decode = await decodeContext(context, queue);
  const ordered = [...received.values()]
    .map((message) => ({ message, key: orderKey(message) }))
    .filter((entry) => !after || compareOrderKeys(entry.key, after) > 0)
    .sort((left, right) => compareOrderKeys(left.key, right.key));
  const page = ordered.slice(0, Math.max(1, options.limit));
  const more = ordered.length > page.length || (received.size >= window && page.length > 0);

  const warnings: string[] = [];
  if (queue.fifo) {
    warnings.push("FIFO queue: SQS hands out only the first messages of each message group while others are in flight, so a browse shows group heads only.");
  }
  if (received.size >= window) {
    warnings.push(`More than ${window} messages: pages show the oldest of what SQS handed out; scan the queue into the index for all of them.`);
  }
  return {
    messages: page.map((entry) => decodeMessage(entry.message, decode)),
    nextCursor: more ? encodeCursor(page[page.length - 1]!.key) : null,
    warnings,
  };
}

/** One message by its SQS MessageId, or null when SQS does not hand it out. */
export async function getMessage(context: SqsContext, queueId: string, id: string): Promise<DeadLetter | null> {
  const { connection } = context;
  const queue = await connection.queue(queueId);
  const { received, receiptHandles } = await receiveDistinct(connection, queue, {
    visibilitySeconds: connection.options.browseVisibilityTimeoutSeconds,
    limit: connection.options.browseWindow,
    done: (seen) => seen.has(id),
  });
  await release(connection, queue, receiptHandles);
  const message = received.get(id);
  return message ? decodeMessage(message, await decodeContext(context, queue)) : null;
}

/**
 * Every message of a DLQ, one at a time, for indexing 100k messages without holding them: only
 * ids (to skip repeats) and receipt handles (to release at the end) are kept. Messages stay hidden
 * for scanVisibilityTimeoutSeconds or until the scan ends or is abandoned, whichever is first;
 * a scan that outlives that timeout stops when SQS starts handing back messages it already gave.
 */
export async function* scan(context: SqsContext, queueId: string): AsyncGenerator<DeadLetter, void, undefined> {
  const { connection } = context;
  const queue = await connection.queue(queueId);
  const decode = await decodeContext(context, queue);
  const seen = new Set<string>();
  const receiptHandles: string[] = [];
  let confirming = false;
  try {
    for (;;) {
      const batch = await receive(connection, queue, connection.options.scanVisibilityTimeoutSeconds, confirming ? 1 : 0);
      if (batch.length === 0) {
        if (confirming) return;
        confirming = true;
        continue;
      }
      confirming = false;
      for (const message of batch) if (message.ReceiptHandle) receiptHandles.push(message.ReceiptHandle);
      const fresh = batch.filter((message) => message.MessageId && !seen.has(message.MessageId));
      if (fresh.length === 0) return;
      for (const message of fresh) {
        seen.add(message.MessageId!);
        yield decodeMessage(message, decode);
      }
    }
  } finally {
    await release(connection, queue, receiptHandles);
  }
}
