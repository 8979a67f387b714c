import "server-only";
// The job's state in Postgres as the runner changes it: the lease that says which worker runs a
// job, the items of the next batch, the batches in flight (bulk_job_inflight), and the one
// transaction per batch that records its outcomes, its checkpoint, the job's counters and the
// audit rows together (rule 7).
import type { BulkJob } from "@prisma/client";
import type { PoolClient } from "pg";
import { appendAudit, appendAudits, canonicalJson, type AuditRecord } from "@/lib/audit/log";
import { db } from "@/lib/db/client";
import { inTransaction, sqlPool } from "@/lib/db/sql";
import { auditBase } from "./view";

const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

export interface ItemRow {
  readonly seq: number;
  readonly messageId: string;
  readonly partitionKey: string | null;
  readonly attempts: number;
  /** Set when a crashed worker had the item in flight: its earlier send may have happened. */
  readonly interrupted: boolean;
}

/** One item's result in a batch. */
export interface ItemResult {
  readonly seq: number;
  readonly messageId: string;
  /** pending (retry later), moved, sent-not-removed, failed, missing, skipped */
  readonly status: string;
  readonly error: string | null;
}

/** Take (or keep) the job's lease for this worker; null when another live worker holds it or the job is not active. */
export async function acquireLease(jobId: string, workerId: string, leaseMs: number): Promise<{ job: BulkJob; previousWorker: string | null } | null> {
  // A concurrent taker blocks on the row and then re-checks the condition against the new lease: one wins.
  const rows = await db().$queryRaw<{ previous: string | null }[]>`
    UPDATE bulk_job AS job SET worker_id = ${workerId}, lease_until = now() + ${leaseMs} * interval '1 millisecond'
    FROM (SELECT id, worker_id FROM bulk_job WHERE id = ${jobId}) AS old
    WHERE job.id = old.id AND job.status IN ('running', 'cancelling')
      AND (job.worker_id IS NULL OR job.worker_id = ${workerId} OR job.lease_until IS NULL OR job.lease_until < now())
    RETURNING old.worker_id AS previous`;
  if (rows.length === 0) return null;
  const job = await db().bulkJob.findUniqueOrThrow({ where: { id: jobId } });
  return { job, previousWorker: rows[0]!.previous };
}

/** What a running job's worker re-reads before every batch: its control fields and counters. */
export type JobState = Pick<
  BulkJob,
  "status" | "phase" | "statusReason" | "ratePerSecond" | "concurrency" | "batchSize" | "returnThreshold" | "failureThreshold"
  | "total" | "done" | "failed" | "skipped" | "returned" | "workerId" | "leaseUntil" | "startedAt" | "finishedAt" | "updatedAt"
>;

/**
 * The job's state now, on the plain pool (lib/db/sql.ts): a lane reads it before every batch, so
 * a pause, a cancel, a rate change or a lost lease applies at the next one. Not the selection or
 * the summary: an ids selection holds every id (megabytes at 100k).
 */
export async function jobState(jobId: string): Promise<JobState> {
  const { rows } = await sqlPool().query<JobState>(
    `SELECT status, phase, status_reason AS "statusReason", rate_per_second AS "ratePerSecond", concurrency, batch_size AS "batchSize",
       return_threshold AS "returnThreshold", failure_threshold AS "failureThreshold", total, done, failed, skipped, returned,
       worker_id AS "workerId", lease_until AS "leaseUntil", started_at AS "startedAt", finished_at AS "finishedAt", updated_at AS "updatedAt"
     FROM bulk_job WHERE id = $1`,
    [jobId],
  );
  if (!rows[0]) throw new Error(`bulk job ${jobId} no longer exists`);
  return rows[0];
}

/** Extend the lease; false when it was lost (another worker took the job over). */
export async function renewLease(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
  const count = await db().$executeRaw`
    UPDATE bulk_job SET lease_until = now() + ${leaseMs} * interval '1 millisecond' WHERE id = ${jobId} AND worker_id = ${workerId}`;
  return count > 0;
}

/** Give the lease up (the job paused, ended, or this worker is stopping). */
export async function releaseLease(jobId: string, workerId: string): Promise<void> {
  await db().$executeRaw`UPDATE bulk_job SET worker_id = NULL, lease_until = NULL WHERE id = ${jobId} AND worker_id = ${workerId}`;
}

const INTERRUPTED = "interrupted: the worker stopped before this batch was recorded";

/**
 * The items of every batch a crashed worker left in flight (bulk_job_inflight) are marked as
 * interrupted, and the batches forgotten. Returns how many items. Items an older version left
 * "sending" go back to pending the same way.
 */
export async function recoverInterrupted(jobId: string): Promise<number> {
  return db().$transaction(async (tx) => {
    const inFlight = await tx.$executeRaw`
      UPDATE bulk_job_item AS item SET error = ${INTERRUPTED}
      FROM (SELECT DISTINCT unnest(seqs) AS seq FROM bulk_job_inflight WHERE job_id = ${jobId}) AS f
      WHERE item.job_id = ${jobId} AND item.seq = f.seq AND item.status = 'pending'`;
    const sending = await tx.$executeRaw`
      UPDATE bulk_job_item SET status = 'pending', error = ${INTERRUPTED} WHERE job_id = ${jobId} AND status = 'sending'`;
    await tx.$executeRaw`DELETE FROM bulk_job_inflight WHERE job_id = ${jobId}`;
    return inFlight + sending;
  }, TX_OPTIONS);
}

interface RawItem {
  seq: number;
  message_id: string;
  partition_key: string | null;
  attempts: number;
  error: string | null;
}

const toItem = (row: RawItem): ItemRow => ({
  seq: row.seq,
  messageId: row.message_id,
  partitionKey: row.partition_key,
  attempts: row.attempts,
  interrupted: row.error?.startsWith("interrupted") ?? false,
});

/**
 * The next pending items of one lane (or, with lane null, of the canary: seq below `belowSeq`), in
 * plan order. `fromSeq`: a lane's cursor, below which none of its items is pending. Without it
 * the index scan steps over every item the job has finished (their old "pending" index entries
 * stay until a vacuum): 40-90 ms a batch by 15 % of a 1M job, and growing.
 */
export async function nextItems(jobId: string, options: { lane: number | null; status?: string; belowSeq?: number; fromSeq?: number; limit: number }): Promise<ItemRow[]> {
  const params: unknown[] = [jobId, options.status ?? "pending", options.limit];
  const and = (condition: string, value: unknown) => (params.push(value), ` AND ${condition} $${params.length}`);
  const filters = [
    options.lane === null ? "" : and("lane =", options.lane),
    options.belowSeq === undefined ? "" : and("seq <", options.belowSeq),
    options.fromSeq === undefined ? "" : and("seq >=", options.fromSeq),
  ].join("");
  // Not an item of a batch in flight (claimed by this or another worker, and not yet recorded).
  // One JSON value instead of a row per item: the driver's per-row, per-field parsing of 500 rows
  // cost more than the query. On the plain pool: it runs before every batch (lib/db/sql.ts).
  const { rows } = await sqlPool().query<{ items: string | null }>(
    `SELECT json_agg(json_build_object('seq', seq, 'message_id', message_id, 'partition_key', partition_key, 'attempts', attempts, 'error', error) ORDER BY seq)::text AS items
     FROM (
       SELECT seq, message_id, partition_key, attempts, error FROM bulk_job_item AS item
       WHERE job_id = $1 AND status = $2${filters}
         AND NOT EXISTS (SELECT 1 FROM bulk_job_inflight AS f WHERE f.job_id = item.job_id AND item.seq BETWEEN f.first_seq AND f.last_seq AND item.seq = ANY(f.seqs))
       ORDER BY seq LIMIT $3
     ) AS next`,
    params,
  );
  const items = rows[0]?.items;
  return items ? (JSON.parse(items) as RawItem[]).map(toItem) : [];
}

/** The highest batch number used so far (a worker that takes over continues after it). */
export async function lastBatch(jobId: string): Promise<number> {
  const rows = await db().$queryRaw<{ last: number | null }[]>`
    SELECT greatest((SELECT max(batch) FROM bulk_job_checkpoint WHERE job_id = ${jobId}), (SELECT max(batch) FROM bulk_job_item WHERE job_id = ${jobId}),
      (SELECT max(batch) FROM bulk_job_inflight WHERE job_id = ${jobId})) AS last`;
  return rows[0]?.last ?? 0;
}

type JobRef = Pick<BulkJob, "id" | "broker" | "queueId">;

/** A batch about to go to the broker: its items, marked in flight with an intent row. */
export interface BatchIntent {
  readonly number: number;
  readonly lane: number;
  readonly items: readonly ItemRow[];
  readonly actor: string;
}

/** A batch the broker has answered: its results, for the outcome row. */
export interface BatchRecord {
  readonly number: number;
  readonly lane: number;
  readonly workerId: string;
  readonly actor: string;
  readonly results: readonly ItemResult[];
}

/** A batch marked in flight that will not be sent as it is (the lane paused, or must retry first). */
export interface BatchWithdrawal extends BatchIntent {
  readonly reason: string;
}

/**
 * The lane's writes around one broker call, in one transaction (one commit): the last batch's
 * outcome, a claimed batch given back, the next batch's intent. Each is optional; their audit
 * rows go in that order, in one append.
 */
export async function writeBatches(job: JobRef, writes: { record?: BatchRecord | null; withdraw?: BatchWithdrawal | null; mark?: BatchIntent | null }): Promise<void> {
  const { record, withdraw, mark } = writes;
  if (!record && !withdraw && !mark) return;
  // On the plain pool (lib/db/sql.ts): one to three of these a batch, each about six statements.
  await inTransaction(async (client) => {
    const rows: AuditRecord[] = [];
    if (record) rows.push(await recordTx(client, job, record));
    if (withdraw) rows.push(await withdrawTx(client, job, withdraw));
    if (mark) rows.push(await markTx(client, job, mark));
    // The chain's lock after the job row's (recordTx), the order transition() takes them in.
    await appendAudits(client, rows);
  });
}

/** Before the broker call: mark the batch in flight and append its intent row, in one transaction. */
export async function markSending(job: JobRef, batch: { number: number; lane: number }, items: readonly ItemRow[], actor: string): Promise<void> {
  await writeBatches(job, { mark: { ...batch, items, actor } });
}

const seqRange = (items: readonly ItemRow[]) => [Math.min(...items.map((item) => item.seq)), Math.max(...items.map((item) => item.seq))] as const;

/**
 * In flight: one bulk_job_inflight row with the batch's seqs, instead of an update of each item
 * (half the row writes of a batch). nextItems() skips them; a worker that takes over marks them
 * interrupted (recoverInterrupted).
 */
async function markTx(client: PoolClient, job: JobRef, { number, lane, items, actor }: BatchIntent): Promise<AuditRecord> {
  const [first, last] = seqRange(items);
  await client.query(
    `INSERT INTO bulk_job_inflight (job_id, batch, lane, first_seq, last_seq, seqs) VALUES ($1, $2, $3, $4, $5, string_to_array($6, ',')::int[])`,
    [job.id, number, lane, first, last, items.map((item) => item.seq).join(",")],
  );
  return {
    ...auditBase(job, { id: actor }),
    action: "bulk-replay.batch-intent",
    messageIds: items.map((item) => item.messageId),
    request: { batch: number, seqs: [items[0]!.seq, items.at(-1)!.seq], count: items.length },
    outcome: { status: "sending" },
  };
}

/** A batch claimed and never sent: no longer in flight (its items were pending all along), with a row saying why. */
async function withdrawTx(client: PoolClient, job: JobRef, { number, items, actor, reason }: BatchWithdrawal): Promise<AuditRecord> {
  await client.query("DELETE FROM bulk_job_inflight WHERE job_id = $1 AND batch = $2", [job.id, number]);
  return {
    ...auditBase(job, { id: actor }),
    action: "bulk-replay.batch-withdrawn",
    messageIds: items.map((item) => item.messageId),
    request: { batch: number, seqs: [items[0]!.seq, items.at(-1)!.seq], count: items.length },
    outcome: { status: "pending", reason },
  };
}

const FINAL = new Set(["moved", "sent-not-removed", "failed", "skipped"]);

/** After the broker call: item outcomes, counters, the checkpoint and the outcome row, in one transaction. */
export async function recordBatch(job: JobRef, batch: { number: number; lane: number; workerId: string; actor: string }, results: readonly ItemResult[]): Promise<void> {
  await writeBatches(job, { record: { ...batch, results } });
}

async function recordTx(client: PoolClient, job: JobRef, batch: BatchRecord): Promise<AuditRecord> {
  const { results } = batch;
  const count = (...statuses: string[]) => results.filter((result) => statuses.includes(result.status)).length;
  const done = count("moved", "sent-not-removed");
  const failed = count("failed");
  const skipped = count("skipped");
  // The results as one JSON parameter: a 500-element array parameter costs the driver a
  // conversion per element (a tenth of a bulk run's CPU across a batch's arrays); JSON.stringify does not.
  const rows = JSON.stringify(results.map((result) => ({ seq: result.seq, status: result.status, error: result.error, final: FINAL.has(result.status) })));
  await client.query(
    `UPDATE bulk_job_item AS item SET status = u.status, error = u.error, attempts = item.attempts + 1, batch = $2,
       finished_at = CASE WHEN u.final THEN now() ELSE NULL END
     FROM json_to_recordset($3::json) AS u(seq int, status text, error text, final boolean)
     WHERE item.job_id = $1 AND item.seq = u.seq`,
    [job.id, batch.number, rows],
  );
  // The counters, the checkpoint and the end of the batch's time in flight: one statement.
  await client.query(
    `WITH counters AS (
       UPDATE bulk_job SET done = done + $3, failed = failed + $4, skipped = skipped + $5, updated_at = now() WHERE id = $1 RETURNING id
     ), checkpoint AS (
       INSERT INTO bulk_job_checkpoint (job_id, batch, worker_id, lane, first_seq, last_seq, done, failed, skipped)
       VALUES ($1, $2, $6, $7, $8, $9, $3, $4, $5) RETURNING batch
     )
     DELETE FROM bulk_job_inflight WHERE job_id = $1 AND batch = $2`,
    [job.id, batch.number, done, failed, skipped, batch.workerId, batch.lane, results[0]!.seq, results.at(-1)!.seq],
  );
  return {
    ...auditBase(job, { id: batch.actor }),
    action: "bulk-replay.batch",
    messageIds: results.map((result) => result.messageId),
    request: { batch: batch.number, lane: batch.lane, worker: batch.workerId },
    outcome: { done, failed, skipped, outcomes: results.map((result) => ({ id: result.messageId, status: result.status, ...(result.error ? { error: result.error } : {}) })) },
  };
}

/** Change the job's status (and optionally phase / reason) with an audit row, in one transaction; only from the given statuses. */
export async function transition(
  jobId: string,
  from: readonly string[],
  change: { status?: string; phase?: string; statusReason?: string | null; finished?: boolean; returned?: number },
  audit: { actor: string; via?: string; action: string; request?: unknown; outcome?: unknown; clientIp?: string | null; userAgent?: string | null },
): Promise<BulkJob | null> {
  return db().$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM bulk_job WHERE id = ${jobId} FOR UPDATE`;
    if (!locked || !from.includes(locked.status)) return null;
    const job = await tx.bulkJob.update({
      where: { id: jobId },
      data: {
        ...(change.status ? { status: change.status } : {}),
        ...(change.phase ? { phase: change.phase } : {}),
        ...(change.statusReason !== undefined ? { statusReason: change.statusReason } : {}),
        ...(change.returned !== undefined ? { returned: change.returned } : {}),
        ...(change.finished ? { finishedAt: new Date(), workerId: null, leaseUntil: null } : {}),
      },
    });
    if (change.finished) {
      const status = job.done === job.total ? "succeeded" : job.done === 0 ? "failed" : "partial";
      await tx.operation.update({
        where: { id: jobId },
        data: { status, finishedAt: new Date(), result: canonicalJson({ outcomes: [], counts: { total: job.total, done: job.done, failed: job.failed, skipped: job.skipped }, status: job.status }) },
      });
    }
    await appendAudit(tx, {
      ...auditBase(job, { id: audit.actor, via: audit.via }),
      clientIp: audit.clientIp ?? null,
      userAgent: audit.userAgent ?? null,
      action: audit.action,
      request: audit.request ?? null,
      outcome: audit.outcome ?? { status: job.status, phase: job.phase, reason: job.statusReason },
    });
    return job;
  }, TX_OPTIONS);
}

/** Items not ended yet (pending, in flight, or missing in a parallel pass). */
export async function unfinishedItems(jobId: string): Promise<number> {
  return db().bulkJobItem.count({ where: { jobId, status: { in: ["pending", "sending", "missing"] } } });
}

/** Items never sent (pending, or missing in a parallel pass) end as cancelled. */
export async function cancelRemaining(jobId: string): Promise<number> {
  return db().$executeRaw`
    UPDATE bulk_job_item SET status = 'cancelled', finished_at = now() WHERE job_id = ${jobId} AND status IN ('pending', 'missing')`;
}

/** Messages per second over the job's checkpoints of the last `windowMs`, or null with fewer than two. */
export async function recentRate(jobId: string, windowMs = 60_000): Promise<number | null> {
  const rows = await db().$queryRaw<{ n: number; first: Date | null; last: Date | null; processed: number | null }[]>`
    SELECT count(*)::int AS n, min(at) AS first, max(at) AS last, sum(done + failed + skipped)::int AS processed
    FROM bulk_job_checkpoint WHERE job_id = ${jobId} AND at > now() - ${windowMs} * interval '1 millisecond'`;
  const row = rows[0];
  if (!row || row.n < 2 || !row.first || !row.last) return null;
  const seconds = (row.last.getTime() - row.first.getTime()) / 1000;
  return seconds > 0 ? Math.round(((row.processed ?? 0) * (row.n - 1)) / row.n / seconds) : null;
}
