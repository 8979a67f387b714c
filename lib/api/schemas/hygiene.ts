// /api/v1/hygiene: findings on every broker's queue configuration, and mutes.
import { z } from "zod";
import { BROKER_KINDS } from "@/lib/brokers/types";
import { FINDING_CODES } from "@/lib/hygiene/checks";

export const muteSchema = z.object({ reason: z.string(), mutedBy: z.string(), mutedAt: z.iso.datetime() });

export const findingSchema = z.object({
  code: z.enum(FINDING_CODES),
  severity: z.enum(["high", "medium", "low"]),
  queue: z.object({ id: z.string(), name: z.string() }),
  problem: z.string(),
  fix: z.string(),
  mute: muteSchema.nullable(),
});

export const hygieneResponseSchema = z.object({
  generatedAt: z.iso.datetime(),
  brokers: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(BROKER_KINDS),
      environment: z.string().nullable(),
      status: z.enum(["ok", "down", "unsupported"]),
      error: z.string().nullable(),
      checked: z.number().int(),
      findings: z.array(findingSchema),
    }),
  ),
});

export const muteRequestSchema = z.object({
  broker: z.string().min(1),
  queueId: z.string().min(1),
  code: z.enum(FINDING_CODES),
  reason: z.string().trim().min(3, "say why (at least 3 characters)").max(1000),
});
export const unmuteRequestSchema = muteRequestSchema.omit({ reason: true });

/** POST /api/v1/hygiene/mutes answers with the finding and its mute. */
export const muteResponseSchema = muteRequestSchema.extend({ mute: muteSchema });
/** DELETE /api/v1/hygiene/mutes: unmuted is false when the finding was not muted. */
export const unmuteResponseSchema = unmuteRequestSchema.extend({ unmuted: z.boolean() });

export type HygieneResponse = z.infer<typeof hygieneResponseSchema>;
export type FindingDto = z.infer<typeof findingSchema>;
export type MuteResponse = z.infer<typeof muteResponseSchema>;
export type UnmuteResponse = z.infer<typeof unmuteResponseSchema>;
