// /api/v1/alerts: alert rules on DLQs, their state per DLQ, and webhook deliveries.
import { z } from "zod";
import { ALERT_FORMATS, ALERT_METRICS } from "@/lib/alerts/rules";

export const alertRuleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    broker: z.string().trim().min(1).max(200).default("*"),
    queue: z.string().trim().min(1).max(500).default("*"),
    metric: z.enum(ALERT_METRICS),
    threshold: z.number().int().min(0),
    /** Default: 80 % of the threshold (hysteresis). */
    resolveBelow: z.number().int().min(0).optional(),
    windowMinutes: z.number().int().min(5).max(24 * 60).default(60),
    webhookUrl: z.url({ protocol: /^https?$/ }),
    format: z.enum(ALERT_FORMATS).default("generic"),
  })
  .refine((rule) => rule.resolveBelow === undefined || rule.resolveBelow < rule.threshold || rule.threshold === 0, {
    message: "resolveBelow must be below the threshold, or the alert would flap",
    path: ["resolveBelow"],
  });

export const alertRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  broker: z.string(),
  queue: z.string(),
  metric: z.enum(ALERT_METRICS),
  threshold: z.number().int(),
  resolveBelow: z.number().int(),
  windowMinutes: z.number().int(),
  /** Scheme and host only: webhook URLs (Slack's, Teams') carry their secret in the path. */
  webhook: z.string(),
  format: z.enum(ALERT_FORMATS),
  enabled: z.boolean(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
});

export const alertsResponseSchema = z.object({
  rules: z.array(alertRuleSchema),
  states: z.array(z.object({ ruleId: z.string(), broker: z.string(), queueId: z.string(), firing: z.boolean(), since: z.iso.datetime(), lastValue: z.number().int(), evaluatedAt: z.iso.datetime() })),
  deliveries: z.array(
    z.object({
      id: z.string(),
      ruleId: z.string(),
      broker: z.string(),
      queueId: z.string(),
      event: z.string(),
      value: z.number().int(),
      status: z.enum(["pending", "delivered", "failed"]),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      createdAt: z.iso.datetime(),
      deliveredAt: z.iso.datetime().nullable(),
      nextAttemptAt: z.iso.datetime(),
    }),
  ),
});

/** DELETE /api/v1/alerts/rules/:id answers with the rule it deleted. */
export const alertRuleDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });

export type AlertRuleInput = z.output<typeof alertRuleInputSchema>;
export type AlertsResponse = z.infer<typeof alertsResponseSchema>;
export type AlertRuleDeleted = z.infer<typeof alertRuleDeletedSchema>;
