// /api/v1/brokers/:broker/queues/:queue/index: the console's message index of one DLQ.
import { z } from "zod";
import { messageSummarySchema } from "./messages";

export const indexStateSchema = z.object({
  status: z.enum(["idle", "running", "failed"]),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  indexed: z.number().int().nonnegative(),
  error: z.string().nullable(),
});

/** Query of GET .../index: all filters optional; the cursor is the position after which to start. */
export const indexQuerySchema = z.object({
  text: z.string().max(500).default("").describe("Words that must all appear in the ids and failure reason (for readers: anywhere in payload and headers too)"),
  group: z.string().min(1).max(64).optional().describe("A failure group's id (groups[].id)"),
  from: z.iso.datetime().optional().describe("Dead-lettered (where unknown, enqueued) at or after"),
  to: z.iso.datetime().optional().describe("Dead-lettered (where unknown, enqueued) before"),
  cursor: z.coerce.number().int().nonnegative().optional().describe("The previous page's nextCursor"),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const indexPageSchema = z.object({
  queueId: z.string(),
  state: indexStateSchema,
  total: z.number().int().nonnegative(),
  groups: z.array(z.object({ id: z.string(), label: z.string(), count: z.number().int(), exampleId: z.string() })),
  messages: z.array(messageSummarySchema),
  nextCursor: z.number().int().nullable(),
});

export const indexRefreshResponseSchema = z.object({ queueId: z.string(), started: z.boolean(), state: indexStateSchema });

export type IndexStateDto = z.infer<typeof indexStateSchema>;
export type IndexPageDto = z.infer<typeof indexPageSchema>;
export type IndexQuery = z.input<typeof indexQuerySchema>;
