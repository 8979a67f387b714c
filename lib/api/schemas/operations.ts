// Requests and responses of the operation routes (preview, replay, resend, purge, restore,
// archives, policy): one schema for the route handler and the browser.
import { z } from "zod";
import { propertySchema } from "./messages";
import { queueRefSchema } from "./queues";

export const operationIdSchema = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, "letters, digits, '.', '_', ':' or '-'")
  .describe("Chosen by the client (a UUID in the UI, anything id-like from scripts): the same request sent again with it does nothing twice");

const operationMeta = {
  operationId: operationIdSchema,
  reason: z.string().trim().max(1000).optional().describe("Why (free text); this or a ticket is required on environments REASON_REQUIRED_ENVIRONMENTS names"),
  ticket: z.string().trim().max(500).optional().describe("Ticket or incident link"),
};

export const destinationSchema = z.object({
  id: z.string().min(1).max(300).describe("The queue (or topic, exchange) id to send to instead of each message's source"),
  routingKey: z.string().max(300).optional(),
  allowFanOut: z.boolean().optional().describe("The operator saw the preview's receivers and accepts a topic fan-out"),
});

const messageIds = z.array(z.string().min(1).max(500)).min(1).max(500);

export const previewRequestSchema = z.object({ ids: messageIds, destination: destinationSchema.optional() });

export const replayRequestSchema = z.object({ ...operationMeta, ids: messageIds, destination: destinationSchema.optional() });

export const resendRequestSchema = z.object({
  ...operationMeta,
  body: z.union([z.object({ text: z.string() }), z.object({ base64: z.base64() })]).optional().describe("The new body as text (UTF-8) or base64; absent keeps the original"),
  contentType: z.string().max(300).nullable().optional(),
  properties: z.record(z.string(), propertySchema).optional().describe("Every property of the new message; absent keeps the original ones"),
  keepOriginal: z.boolean().default(false).describe("Leave the original in the DLQ (default: remove it once the new one is sent)"),
  destination: destinationSchema.optional(),
});

export const purgeRequestSchema = z
  .object({
    ...operationMeta,
    ids: messageIds.optional().describe("The messages to purge; or all: true"),
    all: z.literal(true).optional().describe("Purge every message of the DLQ (instead of ids)"),
    confirm: z.string().describe("The queue's name, typed by the operator"),
  })
  .refine((request) => (request.ids === undefined) !== (request.all === undefined), { message: "give either ids or all: true", path: ["ids"] });

export const restoreRequestSchema = z.object({
  ...operationMeta,
  archiveIds: z.array(z.string().regex(/^\d+$/)).min(1).max(500),
  to: z.enum(["dlq", "source"]).describe("Back into the DLQ, or to the queue each message failed from"),
});

export const messageOutcomeSchema = z.object({
  id: z.string(),
  status: z.string(),
  error: z.string().optional(),
  sentMessageId: z.string().nullable().optional(),
  archiveId: z.string().optional(),
});

export const operationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(["planned", "running", "succeeded", "partial", "failed"]),
  actor: z.string(),
  broker: z.string(),
  queueId: z.string(),
  reason: z.string().nullable(),
  ticket: z.string().nullable(),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  result: z.object({ outcomes: z.array(messageOutcomeSchema), error: z.string().optional() }).nullable(),
});

export const operationResponseSchema = z.object({ operation: operationSchema, repeated: z.boolean() });
/** GET /api/v1/operations/:id. */
export const operationStatusResponseSchema = z.object({ operation: operationSchema });

export const previewResponseSchema = z.object({
  routes: z.array(
    z.object({
      sendTo: queueRefSchema,
      receivers: z.array(queueRefSchema),
      changes: z.array(z.string()),
      blocked: z.string().nullable(),
      messageIds: z.array(z.string()),
    }),
  ),
  missing: z.array(z.string()),
  notPreviewed: z.number().int(),
});

export const policyResponseSchema = z.object({
  broker: z.string(),
  environment: z.string().nullable(),
  reasonRequired: z.boolean(),
  archiveRetentionDays: z.number().int(),
  maxMessageBytes: z.number(),
});

export const archiveSchema = z.object({
  archiveId: z.string(),
  operationId: z.string(),
  messageId: z.string(),
  brokerMessageId: z.string().nullable(),
  size: z.number().int(),
  contentType: z.string().nullable(),
  source: queueRefSchema.nullable(),
  failureReason: z.string().nullable(),
  archivedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  restoredAt: z.iso.datetime().nullable(),
  restoredBy: z.string().nullable(),
  restoredTo: z.string().nullable(),
});

/** Query of GET .../archives: keyset paging, newest first. */
export const archivesQuerySchema = z.object({ cursor: z.string().regex(/^\d+$/).optional().describe("The previous page's nextCursor"), limit: z.coerce.number().int().min(1).max(500).default(100) });

export const archivesResponseSchema = z.object({ archives: z.array(archiveSchema), nextCursor: z.string().nullable() });

export type OperationDto = z.infer<typeof operationSchema>;
export type OperationResponseDto = z.infer<typeof operationResponseSchema>;
export type PreviewResponse = z.infer<typeof previewResponseSchema>;
export type PolicyResponse = z.infer<typeof policyResponseSchema>;
export type ArchiveDto = z.infer<typeof archiveSchema>;
export type ArchivesResponse = z.infer<typeof archivesResponseSchema>;
export type ReplayRequestDto = z.input<typeof replayRequestSchema>;
export type ResendRequestDto = z.input<typeof resendRequestSchema>;
export type PurgeRequestDto = z.input<typeof purgeRequestSchema>;
export type RestoreRequestDto = z.input<typeof restoreRequestSchema>;
