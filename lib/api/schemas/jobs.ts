// Requests of the bulk replay and jobs routes: one schema for the route handler and the browser.
import { z } from "zod";
import { jobSelectionSchema, jobSettingsSchema, selectionSchema } from "@/lib/operations/bulk/model";
import { destinationSchema, operationIdSchema } from "./operations";

/** Plan (dry run) a bulk replay: the selection is frozen, nothing is sent. */
export const bulkPlanRequestSchema = z.object({
  operationId: operationIdSchema,
  selection: selectionSchema,
  destination: destinationSchema.optional(),
  settings: jobSettingsSchema.optional(),
  reason: z.string().trim().max(1000).optional(),
  ticket: z.string().trim().max(500).optional(),
});
export type BulkPlanRequest = z.infer<typeof bulkPlanRequestSchema>;

export const jobRateRequestSchema = z.object({ ratePerSecond: z.number().int().min(1) });

export const jobListQuerySchema = z.object({
  broker: z.string().min(1).optional().describe("Only jobs on this broker"),
  queue: z.string().min(1).optional().describe("Only jobs on this DLQ (its id)"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const jobFailuresQuerySchema = z.object({
  after: z.coerce.number().int().min(-1).optional().describe("The previous page's nextCursor"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const routeSchema = z.object({
  sendTo: z.object({ id: z.string(), name: z.string() }),
  receivers: z.array(z.object({ id: z.string(), name: z.string() })),
  changes: z.array(z.string()),
  blocked: z.string().nullable(),
  count: z.number(),
});

/** A bulk replay job as the API returns it (lib/operations/bulk/model.ts JobView). */
export const jobSchema = z.object({
  id: z.string(),
  actor: z.string(),
  broker: z.string(),
  queueId: z.string(),
  selection: jobSelectionSchema,
  destination: z.object({ id: z.string(), routingKey: z.string().optional(), allowFanOut: z.boolean().optional() }).nullable(),
  reason: z.string().nullable(),
  ticket: z.string().nullable(),
  status: z.enum(["planning", "planned", "running", "paused", "cancelling", "cancelled", "completed"]),
  phase: z.string(),
  statusReason: z.string().nullable(),
  settings: jobSettingsSchema.required(),
  counts: z.object({ total: z.number(), done: z.number(), failed: z.number(), skipped: z.number(), remaining: z.number(), returned: z.number() }),
  currentRate: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  summary: z.object({
    total: z.number(),
    byGroup: z.array(z.object({ id: z.string(), label: z.string(), count: z.number() })),
    byDestination: z.array(z.object({ sendTo: z.string().nullable(), count: z.number() })),
    partitionKeys: z.number(),
    routes: z.array(routeSchema),
    missingAtPlan: z.number(),
    missingExamples: z.array(z.string()),
    unreadAtPlan: z.number().default(0),
    blocked: z.string().nullable(),
  }),
  workerId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type JobDto = z.infer<typeof jobSchema>;

export const jobResponseSchema = z.object({ job: jobSchema });
export const jobListResponseSchema = z.object({ jobs: z.array(jobSchema) });
export const jobDetailResponseSchema = z.object({
  job: jobSchema,
  failures: z.array(
    z.object({ seq: z.number(), messageId: z.string(), status: z.string(), error: z.string().nullable(), attempts: z.number(), partitionKey: z.string().nullable(), finishedAt: z.string().nullable() }),
  ),
  nextCursor: z.number().nullable(),
});
export type JobDetailDto = z.infer<typeof jobDetailResponseSchema>;
