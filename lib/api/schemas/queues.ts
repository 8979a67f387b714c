// GET /api/v1/queues response: the one schema the route handler emits and the client parses.
import { z } from "zod";
import { BROKER_KINDS } from "@/lib/brokers/types";

export const queueRefSchema = z.object({ id: z.string(), name: z.string() });

/** Depth over the last hour from stored samples; null when the database is unavailable. */
export const depthTrendSchema = z.object({
  points: z.array(z.object({ at: z.number(), depth: z.number().int().nonnegative() })),
  change: z.number().int().nullable(),
});

export const deadLetterQueueSchema = z.object({
  id: z.string(),
  name: z.string(),
  depth: z.number().int().nonnegative(),
  depthDetail: z.record(z.string(), z.number()).nullable(),
  consumers: z.number().int().nullable(),
  sources: z.array(queueRefSchema),
  ordered: z.boolean(),
  maxDeliveryCount: z.number().int().nullable(),
  oldestMessageAt: z.iso.datetime().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  trend: depthTrendSchema.nullable(),
  /** The largest failure group in the console's message index of the DLQ; null when never indexed. */
  topFailure: z.object({ label: z.string(), count: z.number().int(), indexed: z.number().int() }).nullable(),
});

export const capabilitiesSchema = z.object({
  truePeek: z.boolean(),
  browseSideEffects: z.array(z.string()),
  orderedPartitions: z.boolean(),
  preservesMessageId: z.boolean(),
  nativeRedrive: z.boolean(),
  batchDelete: z.boolean(),
  binaryBodies: z.boolean(),
  maxMessageBytes: z.number(),
});

export const brokerOverviewSchema = z.object({
  name: z.string(),
  kind: z.enum(BROKER_KINDS),
  environment: z.string().nullable(),
  status: z.enum(["ok", "down"]),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  capabilities: capabilitiesSchema.nullable(),
  queues: z.array(deadLetterQueueSchema),
});

export const queuesResponseSchema = z.object({
  generatedAt: z.iso.datetime(),
  brokers: z.array(brokerOverviewSchema),
});

export type DepthTrendDto = z.infer<typeof depthTrendSchema>;
export type DeadLetterQueueDto = z.infer<typeof deadLetterQueueSchema>;
export type BrokerOverviewDto = z.infer<typeof brokerOverviewSchema>;
export type QueuesResponse = z.infer<typeof queuesResponseSchema>;
