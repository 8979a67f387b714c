import "server-only";
// What an operator does to a bulk job after planning it: start, pause, resume, cancel, change the
// rate; and the reads behind the jobs pages. Each change is one transaction with its audit row
// (store.transition). Start and resume queue the job on pg-boss for any replica's worker.
import type { BulkJob } from "@prisma/client";
import { ApiError } from "@/lib/api/api-error";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { enqueueJob } from "@/lib/jobs/boss";
import type { JobFailure, JobView } from "./model";
import { cancelRemaining, recentRate, transition } from "./store";
import { toJobView, VIEW_OMIT, type JobRow } from "./view";

/** The pg-boss queue bulk replays run on. */
export const BULK_REPLAY_QUEUE = "bulk-replay";

async function requireJob(jobId: string): Promise<JobRow> {
  const job = await db().bulkJob.findUnique({ where: { id: jobId }, omit: VIEW_OMIT });
  if (!job) throw new ApiError("not-found", `no bulk replay ${jobId}`);
  return (await withSelections([job]))[0]!;
}

/** Rows planned before selection_view get their selection read, for the view to summarise. */
async function withSelections<T extends Omit<BulkJob, "selection">>(rows: readonly T[]): Promise<(T & { selection?: string })[]> {
  const without = rows.filter((row) => row.selectionView === null).map((row) => row.id);
  if (without.length === 0) return [...rows];
  const found = await db().bulkJob.findMany({ where: { id: { in: without } }, select: { id: true, selection: true } });
  const selections = new Map(found.map((row) => [row.id, row.selection]));
  return rows.map((row) => (row.selectionView === null ? { ...row, selection: selections.get(row.id) ?? "null" } : row));
}

const who = (actor: Actor) => ({ actor: actor.id, via: actor.via, clientIp: actor.ip, userAgent: actor.userAgent });

async function view(jobId: string): Promise<JobView> {
  const job = await requireJob(jobId);
  return toJobView(job, job.status === "running" ? await recentRate(jobId) : null);
}

function conflict(job: { id: string; status: string }, wanted: string): never {
  throw new ApiError("conflict", `bulk replay ${job.id} is ${job.status}; it cannot be ${wanted}`);
}

/** Start a planned job (a repeat while it runs changes nothing). */
export async function startBulkJob(jobId: string, actor: Actor): Promise<JobView> {
  const job = await requireJob(jobId);
  if (job.status !== "planned") return job.status === "planning" ? conflict(job, "started before its plan is complete") : view(jobId);
  const summary = JSON.parse(job.summary) as { blocked: string | null };
  if (summary.blocked) throw new ApiError("unprocessable", `the plan cannot run: ${summary.blocked}`);
  const started = await db().$transaction(async (tx) => {
    const count = await tx.operation.updateMany({ where: { id: jobId, status: "planned" }, data: { status: "running" } });
    if (count.count === 0) return false;
    await tx.bulkJob.update({ where: { id: jobId }, data: { startedAt: new Date() } });
    return true;
  });
  if (started) {
    await transition(jobId, ["planned"], { status: "running", phase: job.canarySize > 0 ? "canary" : "main" }, { ...who(actor), action: "bulk-replay.start", request: { settings: toJobView(job).settings } });
    await enqueueJob(BULK_REPLAY_QUEUE, { jobId });
  }
  return view(jobId);
}

/** Pause a running job: its current batch finishes, no other starts. */
export async function pauseBulkJob(jobId: string, actor: Actor): Promise<JobView> {
  const job = await requireJob(jobId);
  if (job.status === "paused") return view(jobId);
  const changed = await transition(jobId, ["running"], { status: "paused", statusReason: `paused by ${actor.id}` }, { ...who(actor), action: "bulk-replay.pause" });
  if (!changed) conflict(job, "paused");
  return view(jobId);
}

/** Resume a paused job where it stopped (finished messages are not sent again). */
export async function resumeBulkJob(jobId: string, actor: Actor): Promise<JobView> {
  const job = await requireJob(jobId);
  if (job.status === "running") return view(jobId);
  const changed = await transition(jobId, ["paused"], { status: "running", statusReason: null }, { ...who(actor), action: "bulk-replay.resume", request: { after: job.statusReason } });
  if (!changed) conflict(job, "resumed");
  await enqueueJob(BULK_REPLAY_QUEUE, { jobId });
  return view(jobId);
}

/**
 * Cancel: messages not yet sent stay in the DLQ. A running job's worker finishes the batch in
 * flight (each message is then either replayed or still in the DLQ), then ends it as cancelled.
 */
export async function cancelBulkJob(jobId: string, actor: Actor): Promise<JobView> {
  const job = await requireJob(jobId);
  if (job.status === "cancelled" || job.status === "cancelling") return view(jobId);
  if (job.status === "running") {
    if (!(await transition(jobId, ["running"], { status: "cancelling", statusReason: `cancelled by ${actor.id}` }, { ...who(actor), action: "bulk-replay.cancel" }))) conflict(job, "cancelled");
    return view(jobId);
  }
  // Nobody runs a planned or paused job: end it here, in one transaction with its audit row.
  const ended = await db().$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM bulk_job WHERE id = ${jobId} FOR UPDATE`;
    if (!locked || !["planned", "paused"].includes(locked.status)) return false;
    await tx.bulkJob.update({ where: { id: jobId }, data: { status: "cancelling", statusReason: `cancelled by ${actor.id}` } });
    return true;
  });
  if (!ended) conflict(job, "cancelled");
  const cancelled = await cancelRemaining(jobId);
  await transition(jobId, ["cancelling"], { status: "cancelled", finished: true }, { ...who(actor), action: "bulk-replay.cancel", outcome: { status: "cancelled", cancelled } });
  return view(jobId);
}

/** Change the rate (messages per second), also while the job runs: the next batch uses it. */
export async function setBulkJobRate(jobId: string, actor: Actor, ratePerSecond: number, maxRatePerSecond: number): Promise<JobView> {
  const job = await requireJob(jobId);
  if (ratePerSecond < 1 || ratePerSecond > maxRatePerSecond) throw new ApiError("bad-request", `the rate must be 1 to ${maxRatePerSecond} messages per second`);
  if (["cancelled", "completed"].includes(job.status)) conflict(job, "changed");
  await db().$transaction(async (tx) => {
    await tx.bulkJob.update({ where: { id: jobId }, data: { ratePerSecond } });
  });
  await transition(jobId, ["planned", "running", "paused", "cancelling"], {}, { ...who(actor), action: "bulk-replay.rate", request: { from: job.ratePerSecond, to: ratePerSecond } });
  return view(jobId);
}

/** One job, with its live rate and ETA. */
export async function getBulkJob(jobId: string): Promise<JobView> {
  return view(jobId);
}

/** Recent jobs, newest first (optionally of one broker / queue). */
export async function listBulkJobs(filter: { broker?: string; queueId?: string; limit: number }): Promise<JobView[]> {
  const rows = await withSelections(
    await db().bulkJob.findMany({
      where: { ...(filter.broker ? { broker: filter.broker } : {}), ...(filter.queueId ? { queueId: filter.queueId } : {}), status: { not: "planning" } },
      orderBy: { createdAt: "desc" },
      take: filter.limit,
      omit: VIEW_OMIT,
    }),
  );
  return Promise.all(rows.map(async (row) => toJobView(row, row.status === "running" ? await recentRate(row.id) : null)));
}

/** A job's messages that did not simply move: failed, skipped, sent but not removed, or being retried with an error. */
export async function bulkJobFailures(jobId: string, page: { afterSeq: number | null; limit: number }): Promise<{ failures: JobFailure[]; nextCursor: number | null }> {
  await requireJob(jobId);
  const rows = await db().bulkJobItem.findMany({
    where: { jobId, status: { in: ["failed", "skipped", "sent-not-removed", "pending"] }, error: { not: null }, ...(page.afterSeq === null ? {} : { seq: { gt: page.afterSeq } }) },
    orderBy: { seq: "asc" },
    take: page.limit + 1,
  });
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  return {
    failures: shown.map((row) => ({
      seq: row.seq,
      messageId: row.messageId,
      status: row.status,
      error: row.error,
      attempts: row.attempts,
      partitionKey: row.partitionKey,
      finishedAt: row.finishedAt?.toISOString() ?? null,
    })),
    nextCursor: more ? shown.at(-1)!.seq : null,
  };
}
