// Reading a whole DLQ through any adapter, for the message index and bulk replay plans.
import type { BrokerAdapter, DeadLetter } from "./types";

/** Messages per browse() call when the adapter has no scan(). */
const BROWSE_PAGE = 500;

/** Every message of the DLQ once, oldest first: scan() where the adapter has it, else browse() to the end. */
export async function* readWholeQueue(adapter: BrokerAdapter, queueId: string): AsyncIterable<DeadLetter> {
  if (adapter.scan) {
    yield* adapter.scan(queueId);
    return;
  }
  let cursor: string | null = null;
  do {
    const page = await adapter.browse(queueId, { cursor, limit: BROWSE_PAGE });
    yield* page.messages;
    cursor = page.nextCursor;
  } while (cursor);
}
