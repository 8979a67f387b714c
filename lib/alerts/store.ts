import "server-only";
// Alert rules as operators create and delete them (audited), and what the alerts page shows.
import { randomUUID } from "node:crypto";
import type { AlertRule } from "@prisma/client";
import { ApiError } from "@/lib/api/api-error";
import type { AlertRuleInput, AlertsResponse } from "@/lib/api/schemas/alerts";
import { appendAudit } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import type { AlertFormat, AlertMetric } from "./rules";

/** Scheme and host of a webhook URL: the path and query of Slack's and Teams' URLs are the secret. */
export function webhookOrigin(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return "(invalid URL)";
  }
}

function ruleDto(rule: AlertRule): AlertsResponse["rules"][number] {
  return {
    id: rule.id,
    name: rule.name,
    broker: rule.broker,
    queue: rule.queue,
    metric: rule.metric as AlertMetric,
    threshold: rule.threshold,
    resolveBelow: rule.resolveBelow,
    windowMinutes: rule.windowMinutes,
    webhook: webhookOrigin(rule.webhookUrl),
    format: rule.format as AlertFormat,
    enabled: rule.enabled,
    createdBy: rule.createdBy,
    createdAt: rule.createdAt.toISOString(),
  };
}

/** Rules, every DLQ's state under them, and the latest deliveries (newest first). */
export async function listAlerts(): Promise<AlertsResponse> {
  const [rules, states, deliveries] = await Promise.all([
    db().alertRule.findMany({ orderBy: { createdAt: "asc" } }),
    db().alertState.findMany({ orderBy: [{ firing: "desc" }, { since: "desc" }] }),
    db().alertDelivery.findMany({ orderBy: { id: "desc" }, take: 100 }),
  ]);
  return {
    rules: rules.map(ruleDto),
    states: states.map((state) => ({ ...state, since: state.since.toISOString(), evaluatedAt: state.evaluatedAt.toISOString() })),
    deliveries: deliveries.map((delivery) => ({
      ...delivery,
      id: delivery.id.toString(),
      status: delivery.status as "pending" | "delivered" | "failed",
      createdAt: delivery.createdAt.toISOString(),
      deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
      nextAttemptAt: delivery.nextAttemptAt.toISOString(),
    })),
  };
}

/** Enabled rules' broker and queue globs, for the hygiene check "a DLQ with no alert rule". */
export async function watchingRules(): Promise<{ broker: string; queue: string }[]> {
  return db().alertRule.findMany({ where: { enabled: true }, select: { broker: true, queue: true } });
}

/** Create a rule; it and its audit row commit together. */
export async function createAlertRule(actor: Actor, input: AlertRuleInput): Promise<AlertsResponse["rules"][number]> {
  const resolveBelow = input.resolveBelow ?? Math.floor(input.threshold * 0.8);
  return db().$transaction(async (tx) => {
    const rule = await tx.alertRule.create({ data: { ...input, id: randomUUID(), resolveBelow, createdBy: actor.id } });
    await appendAudit(tx, {
      actor: actor.id,
      action: "alert-rule.create",
      request: { ...input, webhookUrl: webhookOrigin(input.webhookUrl), resolveBelow },
      outcome: { id: rule.id },
      clientIp: actor.ip,
      userAgent: actor.userAgent,
      via: actor.via,
    });
    return ruleDto(rule);
  });
}

/** Delete a rule (its states and deliveries go with it); not-found for an unknown id. */
export async function deleteAlertRule(actor: Actor, id: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const { count } = await tx.alertRule.deleteMany({ where: { id } });
    if (count === 0) throw new ApiError("not-found", `no alert rule ${id}`);
    await appendAudit(tx, { actor: actor.id, action: "alert-rule.delete", request: { id }, outcome: { deleted: true }, clientIp: actor.ip, userAgent: actor.userAgent, via: actor.via });
  });
}
