import "server-only";
// The console's index of a DLQ's messages in Postgres (message_index), for DLQs larger than a
// broker can page quickly (SQS, long RabbitMQ queues): metadata and the start of the payload, so
// the queue view can filter, search and group the whole DLQ at once. The broker stays the source
// of truth (rule 1): the index is only for finding messages; every action re-reads the broker.
//
// A refresh reads the whole DLQ (adapter.scan(), or browse() page by page) and upserts rows in
// batches as it goes, so a long refresh shows its progress; rows the refresh did not see are
// deleted at the end (those messages are gone). One refresh per queue at a time, across replicas.
import { Prisma } from "@prisma/client";
import type { IndexStateDto } from "@/lib/api/schemas/message-index";
import { ApiError } from "@/lib/api/api-error";
import { appendAudit, type Tx } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/actor";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { readWholeQueue } from "@/lib/brokers/whole-queue";
import { db } from "@/lib/db/client";
import { indexRowOf, type IndexRow } from "./index-row";

/** Rows written per INSERT. */
const BATCH_SIZE = 500;
/** A refresh that has not finished after this long is presumed dead (its process crashed). */
export const STALE_REFRESH_MS = 15 * 60 * 1_000;

export type IndexStatus = "idle" | "running" | "failed";

export interface IndexState {
  readonly status: IndexStatus;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly indexed: number;
  readonly error: string | null;
}

export const NEVER_INDEXED: IndexState = { status: "idle", startedAt: null, finishedAt: null, indexed: 0, error: null };

/** Claim the queue's index for a new scan; null when another refresh is running and not stale. */
async function claim(client: Tx, broker: string, queueId: string, now: Date): Promise<bigint | null> {
  const stale = new Date(now.getTime() - STALE_REFRESH_MS);
  const rows = await client.$queryRaw<{ scan_id: bigint }[]>`
    INSERT INTO message_index_state (broker, queue_id, scan_id, status, started_at, finished_at, indexed, error)
    VALUES (${broker}, ${queueId}, 1, 'running', ${now}, NULL, 0, NULL)
    ON CONFLICT (broker, queue_id) DO UPDATE
      SET scan_id = message_index_state.scan_id + 1, status = 'running', started_at = ${now}, indexed = 0, error = NULL
      WHERE message_index_state.status <> 'running' OR message_index_state.started_at < ${stale}
    RETURNING scan_id`;
  return rows[0]?.scan_id ?? null;
}

async function writeBatch(broker: string, queueId: string, scanId: bigint, rows: readonly IndexRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(
    (row) => Prisma.sql`(${broker}, ${queueId}, ${row.id}, ${row.messageId}, ${row.position}, ${row.enqueuedAt}, ${row.deadLetteredAt},
      ${row.reason}, ${row.description}, ${row.fingerprintId}, ${row.fingerprintLabel}, ${row.attemptCount}, ${row.attemptCap},
      ${row.sourceId}, ${row.sourceName}, ${row.partitionKey}, ${row.sizeBytes}, ${row.contentType}, ${row.preview}, ${row.searchText}, ${scanId})`,
  );
  // Within one scan the first sighting of an id wins (identical RabbitMQ messages share a content-hash id).
  await db().$executeRaw`
    INSERT INTO message_index (broker, queue_id, id, message_id, position, enqueued_at, dead_lettered_at, reason, description,
      fingerprint_id, fingerprint_label, attempt_count, attempt_cap, source_id, source_name, partition_key, size_bytes, content_type,
      preview, search_text, scan_id)
    VALUES ${Prisma.join(values)}
    ON CONFLICT (broker, queue_id, id) DO UPDATE SET
      message_id = EXCLUDED.message_id, position = EXCLUDED.position, enqueued_at = EXCLUDED.enqueued_at,
      dead_lettered_at = EXCLUDED.dead_lettered_at, reason = EXCLUDED.reason, description = EXCLUDED.description,
      fingerprint_id = EXCLUDED.fingerprint_id, fingerprint_label = EXCLUDED.fingerprint_label,
      attempt_count = EXCLUDED.attempt_count, attempt_cap = EXCLUDED.attempt_cap, source_id = EXCLUDED.source_id,
      source_name = EXCLUDED.source_name, partition_key = EXCLUDED.partition_key, size_bytes = EXCLUDED.size_bytes,
      content_type = EXCLUDED.content_type, preview = EXCLUDED.preview, search_text = EXCLUDED.search_text, scan_id = EXCLUDED.scan_id
    WHERE message_index.scan_id <> EXCLUDED.scan_id`;
  await db().$executeRaw`UPDATE message_index_state SET indexed = indexed + ${rows.length} WHERE broker = ${broker} AND queue_id = ${queueId} AND scan_id = ${scanId}`;
}

/**
 * Read the whole DLQ into the index. Returns false without reading when a refresh of the queue is
 * already running. A broker error ends the refresh as "failed" with the error kept; the rows it
 * wrote stay (the older ones too, since the scan could not tell whether they are gone).
 */
export async function refreshIndex(adapter: BrokerAdapter, queueId: string, now = new Date()): Promise<boolean> {
  const scanId = await claim(db(), adapter.name, queueId, now);
  if (scanId === null) return false;
  await runScan(adapter, queueId, scanId);
  return true;
}

async function runScan(adapter: BrokerAdapter, queueId: string, scanId: bigint): Promise<void> {
  const broker = adapter.name;
  let batch: IndexRow[] = [];
  const seen = new Set<string>();
  let position = 0;
  try {
    for await (const message of readWholeQueue(adapter, queueId)) {
      if (seen.has(message.id)) continue;
      seen.add(message.id);
      batch.push(indexRowOf(message, position++));
      if (batch.length >= BATCH_SIZE) {
        await writeBatch(broker, queueId, scanId, batch);
        batch = [];
      }
    }
    await writeBatch(broker, queueId, scanId, batch);
    await db().$transaction([
      db().$executeRaw`DELETE FROM message_index WHERE broker = ${broker} AND queue_id = ${queueId} AND scan_id < ${scanId}`,
      db().$executeRaw`UPDATE message_index_state SET status = 'idle', finished_at = now() WHERE broker = ${broker} AND queue_id = ${queueId} AND scan_id = ${scanId}`,
    ]);
  } catch (error) {
    await writeBatch(broker, queueId, scanId, batch);
    const reason = error instanceof Error ? error.message : String(error);
    await db().$executeRaw`UPDATE message_index_state SET status = 'failed', finished_at = now(), error = ${reason} WHERE broker = ${broker} AND queue_id = ${queueId} AND scan_id = ${scanId}`;
  }
}

/** The index's state for one queue; NEVER_INDEXED when it was never refreshed. */
export async function indexState(broker: string, queueId: string): Promise<IndexState> {
  const state = await db().messageIndexState.findUnique({ where: { broker_queueId: { broker, queueId } } });
  if (!state) return NEVER_INDEXED;
  return { status: state.status as IndexStatus, startedAt: state.startedAt, finishedAt: state.finishedAt, indexed: state.indexed, error: state.error };
}

/** The state as the API sends it. */
export function toStateDto(state: IndexState): IndexStateDto {
  return { ...state, startedAt: state.startedAt?.toISOString() ?? null, finishedAt: state.finishedAt?.toISOString() ?? null };
}

const holder = globalThis as typeof globalThis & { __dlqIndexRefreshes?: Set<Promise<void>> };

/**
 * An operator asks for a refresh: check the DLQ exists, claim the index and write the audit row
 * (a refresh reads every payload) in one transaction, then read the DLQ in the background of this
 * process. The outcome is recorded in message_index_state, which indexState() reads.
 */
export async function requestRefresh(adapter: BrokerAdapter, queueId: string, actor: Actor): Promise<{ started: boolean; state: IndexState }> {
  const queues = await adapter.listDeadLetterQueues();
  if (!queues.some((queue) => queue.id === queueId)) throw new ApiError("not-found", `${adapter.name} has no dead-letter queue "${queueId}"`);
  const scanId = await db().$transaction(async (tx) => {
    const claimed = await claim(tx, adapter.name, queueId, new Date());
    await appendAudit(tx, {
      actor: actor.id,
      action: "index.refresh",
      broker: adapter.name,
      queueId,
      request: {},
      outcome: { started: claimed !== null },
      clientIp: actor.ip,
      userAgent: actor.userAgent,
      via: actor.via,
    });
    return claimed;
  });
  if (scanId !== null) {
    const running = (holder.__dlqIndexRefreshes ??= new Set());
    const scan = runScan(adapter, queueId, scanId).catch((error: unknown) => {
      // Only the database can fail here (broker errors are recorded in the state row); a claim
      // left "running" is taken over once STALE_REFRESH_MS has passed.
      console.error(`[message-index] refresh of ${adapter.name} / ${queueId} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    running.add(scan);
    void scan.finally(() => running.delete(scan));
  }
  return { started: scanId !== null, state: await indexState(adapter.name, queueId) };
}
