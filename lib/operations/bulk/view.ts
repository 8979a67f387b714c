import "server-only";
// A bulk job row as the API shows it (counts, rate, ETA), and the audit fields every job row shares.
import type { BulkJob } from "@prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { selectionView, type JobSelection, type JobStatus, type JobView, type PlanSummary, type Selection } from "./model";

/** A job row as views read it: without the whole selection when the row has its view. */
export type JobRow = Omit<BulkJob, "selection"> & { readonly selection?: string };

/** Columns views leave out: an ids selection holds every id (megabytes at 100,000). */
export const VIEW_OMIT = { selection: true } as const;

export type { JobView } from "./model";

/** Audit fields of a job's rows: the job id is the operation id. */
export function auditBase(job: Pick<BulkJob, "id" | "broker" | "queueId">, actor: Actor | { id: string; ip?: null; userAgent?: null; via?: string }) {
  return { actor: actor.id, via: actor.via ?? null, operationId: job.id, broker: job.broker, queueId: job.queueId, clientIp: actor.ip ?? null, userAgent: actor.userAgent ?? null };
}

/** The job as the API returns it; `currentRate` comes from its recent checkpoints. */
export function toJobView(row: JobRow, currentRate: number | null = null): JobView {
  const remaining = Math.max(0, row.total - row.done - row.failed - row.skipped);
  const rate = row.status === "running" ? (currentRate ?? row.ratePerSecond) : null;
  return {
    id: row.id,
    actor: row.actor,
    broker: row.broker,
    queueId: row.queueId,
    selection: row.selectionView ? (JSON.parse(row.selectionView) as JobSelection) : selectionView(JSON.parse(row.selection!) as Selection),
    destination: row.destination ? (JSON.parse(row.destination) as JobView["destination"]) : null,
    reason: row.reason,
    ticket: row.ticket,
    status: row.status as JobStatus,
    phase: row.phase,
    statusReason: row.statusReason,
    settings: {
      ratePerSecond: row.ratePerSecond,
      concurrency: row.concurrency,
      batchSize: row.batchSize,
      canarySize: row.canarySize,
      canaryWindowMs: row.canaryWindowMs,
      returnThreshold: row.returnThreshold,
      failureThreshold: row.failureThreshold,
    },
    counts: { total: row.total, done: row.done, failed: row.failed, skipped: row.skipped, remaining, returned: row.returned },
    currentRate,
    etaSeconds: rate && rate > 0 ? Math.ceil(remaining / rate) : null,
    summary: (row.summary === "{}" ? null : JSON.parse(row.summary)) as PlanSummary,
    workerId: row.workerId,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  };
}
