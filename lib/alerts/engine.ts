import "server-only";
// Alert evaluation and webhook delivery, on the console's Postgres so several replicas can run it:
// an evaluation holds a transaction-scoped advisory lock (one replica evaluates at a time; the
// others skip that tick), and deliveries are claimed row by row (FOR UPDATE SKIP LOCKED), so each
// alert is sent by one replica and retried with backoff and jitter until it lands or gives up.
import type { AlertRule } from "@prisma/client";
import { listOverview } from "@/lib/brokers/overview";
import { backoffDelay } from "@/lib/brokers/retry";
import { getConfig } from "@/lib/config";
import { db } from "@/lib/db/client";
import { readTrends } from "@/lib/triage/depth-samples";
import { nextState, ruleWatches, webhookBody, type AlertFormat, type AlertMetric } from "./rules";

const EVALUATION_LOCK = 0x646c63_616c72n; // "dlc" "alr"
/** Attempts before a delivery is marked failed. */
export const MAX_DELIVERY_ATTEMPTS = 8;
/** Backoff between delivery attempts: min(10 min, 5 s * 2^attempt) + jitter up to 5 s. */
const DELIVERY_BACKOFF = { baseMs: 5_000, capMs: 600_000 };
/** How long a replica holds a claimed delivery before another may try it. */
const CLAIM_MS = 60_000;
const WEBHOOK_TIMEOUT_MS = 10_000;

interface Observed {
  readonly broker: string;
  readonly queueId: string;
  readonly depth: number;
  readonly oldestAgeSeconds: number | null;
}

/** Evaluate every enabled rule against the DLQs as they are now; null when another replica holds the lock. */
export async function evaluateAlerts(now = new Date()): Promise<{ evaluated: number; transitions: number } | null> {
  const rules = await db().alertRule.findMany({ where: { enabled: true } });
  if (rules.length === 0) return { evaluated: 0, transitions: 0 };
  const observed: Observed[] = (await listOverview())
    .filter((broker) => broker.status === "ok")
    .flatMap((broker) =>
      broker.queues.map((queue) => ({
        broker: broker.name,
        queueId: queue.id,
        depth: queue.depth,
        oldestAgeSeconds: queue.oldestMessageAt ? Math.max(0, Math.round((now.getTime() - queue.oldestMessageAt.getTime()) / 1000)) : null,
      })),
    );
  const growthWindows = [...new Set(rules.filter((rule) => rule.metric === "growth").map((rule) => rule.windowMinutes))];
  const trends = new Map(
    await Promise.all(growthWindows.map(async (minutes) => [minutes, await readTrends(observed.map(({ broker, queueId, depth }) => ({ broker, queueId, depth })), now, minutes * 60_000)] as const)),
  );
  const valueOf = (rule: AlertRule, queue: Observed): number | null => {
    const metric = rule.metric as AlertMetric;
    if (metric === "depth") return queue.depth;
    if (metric === "age") return queue.oldestAgeSeconds;
    return trends.get(rule.windowMinutes)?.get(`${queue.broker}\u0000${queue.queueId}`)?.change ?? null;
  };

  return db().$transaction(async (tx) => {
    const [{ locked }] = await tx.$queryRaw<[{ locked: boolean }]>`SELECT pg_try_advisory_xact_lock(${EVALUATION_LOCK}) AS locked`;
    if (!locked) return null;
    const states = await tx.alertState.findMany({ where: { ruleId: { in: rules.map((rule) => rule.id) } } });
    const stateOf = new Map(states.map((state) => [`${state.ruleId}\u0000${state.broker}\u0000${state.queueId}`, state]));
    let evaluated = 0;
    let transitions = 0;
    for (const rule of rules) {
      for (const queue of observed) {
        if (!ruleWatches(rule, queue.broker, queue.queueId)) continue;
        const value = valueOf(rule, queue);
        if (value === null) continue; // the broker does not say (age on SQS), or no samples yet
        evaluated++;
        const previous = stateOf.get(`${rule.id}\u0000${queue.broker}\u0000${queue.queueId}`);
        const next = nextState(previous?.firing ?? false, value, rule);
        const key = { ruleId_broker_queueId: { ruleId: rule.id, broker: queue.broker, queueId: queue.queueId } };
        const since = next.transition || !previous ? now : previous.since;
        await tx.alertState.upsert({
          where: key,
          create: { ruleId: rule.id, broker: queue.broker, queueId: queue.queueId, firing: next.firing, since, lastValue: value, evaluatedAt: now },
          update: { firing: next.firing, since, lastValue: value, evaluatedAt: now },
        });
        if (next.transition) {
          transitions++;
          await tx.alertDelivery.create({ data: { ruleId: rule.id, broker: queue.broker, queueId: queue.queueId, event: next.transition, value, nextAttemptAt: now } });
        }
      }
    }
    return { evaluated, transitions };
  });
}

/** The link an alert carries: the queue view of that DLQ. */
export function queueLink(broker: string, queueId: string): string {
  return `${getConfig().publicUrl.replace(/\/$/, "")}/queues/${encodeURIComponent(broker)}/${encodeURIComponent(queueId)}`;
}

interface ClaimedDelivery {
  id: bigint;
  rule_id: string;
  broker: string;
  queue_id: string;
  event: "fired" | "resolved";
  value: number;
  attempts: number;
  created_at: Date;
}

/** Send the deliveries that are due; returns how many landed and how many failed this round. */
export async function deliverAlerts(now = new Date(), send: typeof fetch = fetch): Promise<{ delivered: number; failed: number }> {
  const claimed = await db().$queryRaw<ClaimedDelivery[]>`
    UPDATE alert_delivery SET next_attempt_at = ${new Date(now.getTime() + CLAIM_MS)}
    WHERE id IN (SELECT id FROM alert_delivery WHERE status = 'pending' AND next_attempt_at <= ${now} ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED)
    RETURNING id, rule_id, broker, queue_id, event, value, attempts, created_at`;
  if (claimed.length === 0) return { delivered: 0, failed: 0 };
  const rules = new Map((await db().alertRule.findMany({ where: { id: { in: [...new Set(claimed.map((row) => row.rule_id))] } } })).map((rule) => [rule.id, rule]));
  let delivered = 0;
  let failed = 0;
  for (const row of claimed) {
    const rule = rules.get(row.rule_id);
    if (!rule) continue; // deleted meanwhile: its deliveries went with it
    const body = webhookBody(rule.format as AlertFormat, {
      event: row.event,
      rule: { ...rule, metric: rule.metric as AlertMetric },
      broker: row.broker,
      queueId: row.queue_id,
      value: row.value,
      link: queueLink(row.broker, row.queue_id),
      at: row.created_at,
    });
    let error: string | null = null;
    try {
      const response = await send(rule.webhookUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
      if (!response.ok) error = `HTTP ${response.status}`;
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const attempts = row.attempts + 1;
    if (error === null) {
      delivered++;
      await db().alertDelivery.update({ where: { id: row.id }, data: { status: "delivered", attempts, deliveredAt: new Date(), lastError: null } });
    } else {
      const gaveUp = attempts >= MAX_DELIVERY_ATTEMPTS;
      if (gaveUp) failed++;
      await db().alertDelivery.update({
        where: { id: row.id },
        data: { status: gaveUp ? "failed" : "pending", attempts, lastError: error, nextAttemptAt: new Date(now.getTime() + backoffDelay(row.attempts, DELIVERY_BACKOFF)) },
      });
    }
  }
  return { delivered, failed };
}
