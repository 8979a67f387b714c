import "server-only";
// The job's state in Postgres as the runner changes it: the lease that says which worker runs a
// job, the items of the next batch, and the one transaction per batch that records its outcomes,
// its checkpoint, the job's counters and the audit row together (rule 7).
import { Prisma, type BulkJob } from "@prisma/client";
import { appendAudit, canonicalJson } from "@/lib/audit/log";
import { db } from "@/lib/db/client";
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

/** Items a crashed worker left in flight go back to pending, marked as interrupted. Returns how many. */
export async function recoverInterrupted(jobId: string): Promise<number> {
  return db().$executeRaw`
    UPDATE bulk_job_item SET status = 'pending', error = 'interrupted: the worker stopped before this batch was recorded'
    WHERE job_id = ${jobId} AND status = 'sending'`;
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
  const status = options.status ?? "pending";
  const lane = options.lane === null ? Prisma.empty : Prisma.sql`AND lane = ${options.lane}`;
  const below = options.belowSeq === undefined ? Prisma.empty : Prisma.sql`AND seq < ${options.belowSeq}`;
  const from = options.fromSeq === undefined ? Prisma.empty : Prisma.sql`AND seq >= ${options.fromSeq}`;
  const rows = await db().$queryRaw<RawItem[]>`
    SELECT seq, message_id, partition_key, attempts, error FROM bulk_job_item
    WHERE job_id = ${jobId} AND status = ${status} ${lane} ${below} ${from} ORDER BY seq LIMIT ${options.limit}`;
  return rows.map(toItem);
}

/** The highest batch number used so far (a worker that takes over continues after it). */
export async function lastBatch(jobId: string): Promise<number> {
  const rows = await db().$queryRaw<{ last: number | null }[]>`
    SELECT greatest((SELECT max(batch) FROM bulk_job_checkpoint WHERE job_id = ${jobId}), (SELECT max(batch) FROM bulk_job_item WHERE job_id = ${jobId})) AS last`;
  return rows[0]?.last ?? 0;
}

/** Before the broker call: mark the batch in flight and append its intent row, in one transaction. */
export async function markSending(job: Pick<BulkJob, "id" | "broker" | "queueId">, batch: number, items: readonly ItemRow[], actor: string): Promise<void> {
  await db().$transaction(async (tx) => {
    // A join with the seqs, not "seq = ANY(...)": with statistics from before a big plan was written
    // (autovacuum off, or not run yet), Postgres read every item of the job for that (460 ms at 1M).
    await tx.$executeRaw`
      UPDATE bulk_job_item AS item SET status = 'sending', batch = ${batch}
      FROM unnest(${items.map((item) => item.seq)}::int[]) AS u(seq) WHERE item.job_id = ${job.id} AND item.seq = u.seq`;
    await appendAudit(tx, {
      ...auditBase(job, { id: actor }),
      action: "bulk-replay.batch-intent",
      messageIds: items.map((item) => item.messageId),
      request: { batch, seqs: [items[0]!.seq, items.at(-1)!.seq], count: items.length },
      outcome: { status: "sending" },
    });
  }, TX_OPTIONS);
}

const FINAL = new Set(["moved", "sent-not-removed", "failed", "skipped"]);

/** After the broker call: item outcomes, counters, the checkpoint and the outcome row, in one transaction. */
export async function recordBatch(
  job: Pick<BulkJob, "id" | "broker" | "queueId">,
  batch: { number: number; lane: number; workerId: string; actor: string },
  results: readonly ItemResult[],
): Promise<void> {
  const count = (...statuses: string[]) => results.filter((result) => statuses.includes(result.status)).length;
  const done = count("moved", "sent-not-removed");
  const failed = count("failed");
  const skipped = count("skipped");
  await db().$transaction(async (tx) => {
    await tx.$executeRaw`
      UPDATE bulk_job_item AS item SET status = u.status, error = u.error, attempts = item.attempts + 1,
        finished_at = CASE WHEN u.final THEN now() ELSE NULL END
      FROM unnest(${results.map((result) => result.seq)}::int[], ${results.map((result) => result.status)}::text[],
        ${results.map((result) => result.error)}::text[], ${results.map((result) => FINAL.has(result.status))}::boolean[]) AS u(seq, status, error, final)
      WHERE item.job_id = ${job.id} AND item.seq = u.seq`;
    await tx.$executeRaw`
      UPDATE bulk_job SET done = done + ${done}, failed = failed + ${failed}, skipped = skipped + ${skipped}, updated_at = now() WHERE id = ${job.id}`;
    await tx.bulkJobCheckpoint.create({
      data: {
        jobId: job.id,
        batch: batch.number,
        workerId: batch.workerId,
        lane: batch.lane,
        firstSeq: results[0]!.seq,
        lastSeq: results.at(-1)!.seq,
        done,
        failed,
        skipped,
      },
    });
    await appendAudit(tx, {
      ...auditBase(job, { id: batch.actor }),
      action: "bulk-replay.batch",
      messageIds: results.map((result) => result.messageId),
      request: { batch: batch.number, lane: batch.lane, worker: batch.workerId },
      outcome: { done, failed, skipped, outcomes: results.map((result) => ({ id: result.messageId, status: result.status, ...(result.error ? { error: result.error } : {}) })) },
    });
  }, TX_OPTIONS);
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
