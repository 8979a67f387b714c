// GET /api/v1/brokers/:broker/queues/:queue/depth: a DLQ's depth over time from stored samples.
import { z } from "zod";

export const depthQuerySchema = z.object({ hours: z.coerce.number().int().min(1).max(24 * 7).default(24).describe("How many hours back") });

export const depthHistorySchema = z.object({
  queueId: z.string(),
  hours: z.number().int(),
  points: z.array(z.object({ at: z.number(), depth: z.number().int().nonnegative() })),
});

export type DepthHistoryDto = z.infer<typeof depthHistorySchema>;
