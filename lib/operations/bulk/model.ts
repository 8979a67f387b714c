// The shapes of a bulk replay shared by the planner, the runner, the control functions and the API:
// what a selection is, a job's settings, and how a job looks from outside. No I/O here.
import { z } from "zod";

/** What the operator picked: explicit rows, one failure group, or everything matching a filter (from the message index). */
export const selectionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ids"), ids: z.array(z.string().min(1).max(1024)).min(1).max(100_000) }),
  z.object({ kind: z.literal("group"), group: z.string().min(1).max(200) }),
  z.object({
    kind: z.literal("filter"),
    text: z.string().max(500).default(""),
    group: z.string().min(1).max(200).nullable().default(null),
    from: z.iso.datetime().nullable().default(null),
    to: z.iso.datetime().nullable().default(null),
  }),
]);
export type Selection = z.infer<typeof selectionSchema>;

/** Ids of an ids selection a job view lists; the rest are counted. */
export const JOB_VIEW_IDS = 20;

/**
 * A job's selection as the API shows it: a group or filter as asked; an ids selection as its count
 * and first JOB_VIEW_IDS ids. The whole list (up to 100,000 ids, megabytes) stays in the job: the
 * jobs pages poll every second, and the items are the frozen list anyway.
 */
export const jobSelectionSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("ids"),
    count: z.number().int().describe("How many ids the selection named"),
    ids: z.array(z.string()).max(JOB_VIEW_IDS).describe(`The first ${JOB_VIEW_IDS} of them`),
  }),
  selectionSchema.options[1],
  selectionSchema.options[2],
]);
export type JobSelection = z.infer<typeof jobSelectionSchema>;

/** The selection as a job view shows it (jobSelectionSchema). */
export function selectionView(selection: Selection): JobSelection {
  if (selection.kind !== "ids") return selection;
  return { kind: "ids", count: selection.ids.length, ids: selection.ids.slice(0, JOB_VIEW_IDS) };
}

/** Settings of one job; absent fields take the configured defaults (lib/config, BULK_REPLAY_*). */
export const jobSettingsSchema = z
  .object({
    ratePerSecond: z.number().int().min(1),
    concurrency: z.number().int().min(1).max(16),
    batchSize: z.number().int().min(1).max(500),
    canarySize: z.number().int().min(0).max(500),
    canaryWindowMs: z.number().int().min(0).max(3_600_000),
    returnThreshold: z.number().min(0).max(1),
    failureThreshold: z.number().min(0).max(1),
  })
  .partial();
export type JobSettingsInput = z.infer<typeof jobSettingsSchema>;
export type JobSettings = Required<JobSettingsInput>;

export const JOB_STATUSES = ["planning", "planned", "running", "paused", "cancelling", "cancelled", "completed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface PlanRoute {
  readonly sendTo: { id: string; name: string };
  readonly receivers: readonly { id: string; name: string }[];
  readonly changes: readonly string[];
  readonly blocked: string | null;
  /** Messages of the plan going this way (by sendTo). */
  readonly count: number;
}

/** What the plan (dry run) says, stored with the job. */
export interface PlanSummary {
  readonly total: number;
  readonly byGroup: readonly { id: string; label: string; count: number }[];
  readonly byDestination: readonly { sendTo: string | null; count: number }[];
  /** Partition keys in the plan (their messages replay in order, one at a time). */
  readonly partitionKeys: number;
  /** What the broker will do, per destination, from the adapter's route preview. */
  readonly routes: readonly PlanRoute[];
  /** Selected ids that were no longer in the DLQ when the plan was made. */
  readonly missingAtPlan: number;
  readonly missingExamples: readonly string[];
  /** Selected messages a FIFO read could not reach at planning (behind their group's head): frozen by id only. */
  readonly unreadAtPlan: number;
  /** Why the plan cannot run, or null. */
  readonly blocked: string | null;
}

/** A job as the API returns it. */
export interface JobView {
  readonly id: string;
  readonly actor: string;
  readonly broker: string;
  readonly queueId: string;
  readonly selection: JobSelection;
  readonly destination: { id: string; routingKey?: string; allowFanOut?: boolean } | null;
  readonly reason: string | null;
  readonly ticket: string | null;
  readonly status: JobStatus;
  readonly phase: string;
  readonly statusReason: string | null;
  readonly settings: JobSettings;
  readonly counts: { total: number; done: number; failed: number; skipped: number; remaining: number; returned: number };
  /** Messages per second over the last minute of checkpoints, or null before two. */
  readonly currentRate: number | null;
  /** Seconds to the end at the current rate (or the set rate), or null when not running. */
  readonly etaSeconds: number | null;
  readonly summary: PlanSummary;
  readonly workerId: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly updatedAt: string;
}

export interface JobFailure {
  readonly seq: number;
  readonly messageId: string;
  readonly status: string;
  readonly error: string | null;
  readonly attempts: number;
  readonly partitionKey: string | null;
  readonly finishedAt: string | null;
}
