// The Amazon SQS adapter. Queue ids are queue names (unique per account and region, readable in
// URLs); DeadLetter ids are SQS MessageIds, which a message keeps while it sits in the DLQ.
import type { z } from "zod";
import type { BrokerAdapter, BrokerCapabilities, DeadLetter } from "../types";
import { browse, getMessage, scan, type SqsContext } from "./browse";
import { SqsConnection } from "./client";
import { SqsDiscovery } from "./discovery";
import { sqsOptionsSchema } from "./options";
import { purge, remove, replay, send } from "./replay";

export { ORIGINAL_ID_ATTRIBUTE, REPLAY_ATTRIBUTE } from "./decode";

/** What SQS can do, as the console sees it. */
export const SQS_CAPABILITIES: BrokerCapabilities = {
  truePeek: false,
  // A browse is a receive: ApproximateReceiveCount goes up and the message is hidden until released.
  browseSideEffects: ["increments-receive-count", "hides-briefly"],
  orderedPartitions: true,
  preservesMessageId: false,
  nativeRedrive: true,
  batchDelete: true,
  binaryBodies: false,
  // SQS's largest message (body + attributes) since August 2025; each queue's MaximumMessageSize
  // (often 256 KiB) is the limit the adapter checks on send.
  maxMessageBytes: 1_048_576,
};

/** The SQS adapter plus scan(), which streams a whole DLQ for indexing. */
export interface SqsAdapter extends BrokerAdapter {
  /** Every message of the DLQ, once each, without holding them in memory (see browse.ts). */
  scan(queueId: string): AsyncIterable<DeadLetter>;
}

/** Build the SQS adapter; the SDK client connects lazily on the first call. */
export function createSqsAdapter(settings: { name: string; connection: z.input<typeof sqsOptionsSchema> }): SqsAdapter {
  const connection = new SqsConnection(settings.name, sqsOptionsSchema.parse(settings.connection));
  const context: SqsContext = { connection, discovery: new SqsDiscovery(connection) };
  return {
    kind: "sqs",
    name: settings.name,
    capabilities: SQS_CAPABILITIES,
    listDeadLetterQueues: () => context.discovery.list(),
    listQueueSettings: async () => [...(await context.discovery.current(0)).settings],
    browse: (queueId, options) => browse(context, queueId, options),
    getMessage: (queueId, id) => getMessage(context, queueId, id),
    scan: (queueId) => scan(context, queueId),
    replay: (queueId, requests) => replay(context, queueId, requests),
    send: (destination, messages) => send(context, destination, messages),
    remove: (queueId, ids) => remove(context, queueId, ids),
    purge: (queueId) => purge(context, queueId),
    close: async () => connection.client.destroy(),
  };
}
