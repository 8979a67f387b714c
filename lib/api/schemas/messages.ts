// Message DTOs of /api/v1/brokers/:broker/queues/:queue/messages: one schema for route and client.
import { z } from "zod";
import { capabilitiesSchema, queueRefSchema } from "./queues";

/** A header / property value with its type kept, so binary and big numbers survive JSON. */
export type PropertyDto =
  | { type: "string"; value: string }
  | { type: "number"; value: number }
  | { type: "bigint"; value: string }
  | { type: "boolean"; value: boolean }
  | { type: "null" }
  | { type: "date"; value: string }
  | { type: "binary"; base64: string; size: number }
  | { type: "list"; items: PropertyDto[] }
  | { type: "map"; entries: Record<string, PropertyDto> };

export const propertySchema: z.ZodType<PropertyDto> = z.lazy(() =>
  z.discriminatedUnion("type", [
    z.object({ type: z.literal("string"), value: z.string() }),
    z.object({ type: z.literal("number"), value: z.number() }),
    z.object({ type: z.literal("bigint"), value: z.string() }),
    z.object({ type: z.literal("boolean"), value: z.boolean() }),
    z.object({ type: z.literal("null") }),
    z.object({ type: z.literal("date"), value: z.string() }),
    z.object({ type: z.literal("binary"), base64: z.string(), size: z.number() }),
    z.object({ type: z.literal("list"), items: z.array(propertySchema) }),
    z.object({ type: z.literal("map"), entries: z.record(z.string(), propertySchema) }),
  ]),
);

export const messageSummarySchema = z.object({
  id: z.string(),
  messageId: z.string().nullable(),
  enqueuedAt: z.iso.datetime().nullable(),
  deadLetteredAt: z.iso.datetime().nullable(),
  reason: z.string().nullable(),
  description: z.string().nullable(),
  attempts: z.object({ count: z.number().nullable(), cap: z.number().nullable() }),
  source: queueRefSchema.nullable(),
  partitionKey: z.string().nullable(),
  contentType: z.string().nullable(),
  size: z.number().int().nonnegative(),
  fingerprint: z.object({ id: z.string(), label: z.string() }),
  /** The start of a text body, for scanning and search; null for binary. */
  preview: z.string().nullable(),
});

export const historyEventSchema = z.object({
  kind: z.enum(["enqueued", "delivered", "dead-lettered", "replayed", "edited"]),
  at: z.iso.datetime().nullable(),
  queue: z.string().nullable(),
  reason: z.string().nullable(),
  count: z.number().nullable(),
  detail: z.string().nullable(),
});

export const messageDetailSchema = messageSummarySchema.extend({
  contentEncoding: z.string().nullable(),
  body: z.object({
    base64: z.string(),
    /** The body as UTF-8 text, or null when it is not valid UTF-8. */
    text: z.string().nullable(),
    /** True when only the first bytes are included (see size for the whole). */
    truncated: z.boolean(),
    /** True when a role without reader sees it: JSON with REDACT_JSON_PATHS masked, any other body withheld (base64 "", text null). */
    redacted: z.boolean().default(false),
  }),
  properties: z.record(z.string(), propertySchema),
  systemProperties: z.record(z.string(), propertySchema),
  history: z.array(historyEventSchema),
});

/** Query of GET .../messages: the broker's own cursor (opaque) and a page size. */
export const messagePageQuerySchema = z.object({
  cursor: z.string().min(1).optional().describe("The previous page's nextCursor (the broker's own, opaque)"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const messagePageSchema = z.object({
  broker: z.object({ name: z.string(), kind: z.string(), capabilities: capabilitiesSchema }),
  queueId: z.string(),
  messages: z.array(messageSummarySchema),
  nextCursor: z.string().nullable(),
  warnings: z.array(z.string()),
});

export const messageResponseSchema = z.object({
  broker: z.object({ name: z.string(), kind: z.string(), capabilities: capabilitiesSchema }),
  queueId: z.string(),
  message: messageDetailSchema,
});

export type MessageSummaryDto = z.infer<typeof messageSummarySchema>;
export type MessageDetailDto = z.infer<typeof messageDetailSchema>;
export type MessagePage = z.infer<typeof messagePageSchema>;
export type MessageResponse = z.infer<typeof messageResponseSchema>;
