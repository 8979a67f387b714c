// The audit routes: list filters, entries, verify. One schema for route handler and browser.
import { z } from "zod";

export const auditFilterSchema = z.object({
  actor: z.string().min(1).max(200).optional().describe("Who acted, exactly as recorded (an email)"),
  action: z.string().min(1).max(100).optional().describe("An action (`message.view`), or a family without a dot (`auth` is every `auth.*`)"),
  broker: z.string().min(1).max(100).optional(),
  queue: z.string().min(1).max(300).optional().describe("A queue id"),
  messageId: z.string().min(1).max(500).optional().describe("Entries that name this message id"),
  from: z.iso.datetime({ offset: true }).optional().describe("Entries at or after this time"),
  to: z.iso.datetime({ offset: true }).optional().describe("Entries at or before this time"),
});

export const auditListQuerySchema = auditFilterSchema.extend({
  cursor: z.string().regex(/^\d+$/).optional().describe("The previous page's nextCursor"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Query of GET /api/v1/audit/export: the list's filters and the file format. */
export const auditExportQuerySchema = auditFilterSchema.extend({ format: z.enum(["csv", "json"]).default("csv") });

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  actor: z.string(),
  /** How the actor acted outside a browser session, e.g. `token <id> (<name>)` for an API token; null otherwise (absent from answers of consoles older than the field). */
  via: z.string().nullable().optional(),
  action: z.string(),
  operationId: z.string().nullable(),
  broker: z.string().nullable(),
  queueId: z.string().nullable(),
  messageIds: z.array(z.string()),
  request: z.unknown(),
  outcome: z.unknown(),
  clientIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  previousHash: z.string(),
  hash: z.string(),
});

export const auditPageSchema = z.object({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() });

export const auditVerifySchema = z.union([
  z.object({ ok: z.literal(true), rows: z.number().int(), lastHash: z.string() }),
  z.object({ ok: z.literal(false), rows: z.number().int(), brokenAt: z.string(), problem: z.string(), entry: auditEntrySchema.nullable() }),
]);

export type AuditFilterDto = z.infer<typeof auditFilterSchema>;
export type AuditEntryDto = z.infer<typeof auditEntrySchema>;
export type AuditPageDto = z.infer<typeof auditPageSchema>;
export type AuditVerifyDto = z.infer<typeof auditVerifySchema>;
