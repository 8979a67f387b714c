import "server-only";
// The hygiene report: every broker's queue settings through its adapter, checked, with the mutes
// operators set. A broker that is down or cannot list its queues is reported, not fatal.
import { ApiError } from "@/lib/api/api-error";
import { appendAudit } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/actor";
import { getBrokers, type ConfiguredBroker } from "@/lib/brokers/adapters";
import { BROKER_LIST_TIMEOUT_MS, withTimeout } from "@/lib/brokers/overview";
import type { BrokerKind } from "@/lib/brokers/types";
import { db } from "@/lib/db/client";
import { watchingRules } from "@/lib/alerts/store";
import { ruleWatches } from "@/lib/alerts/rules";
import { checkQueues, FINDING_CODES, type Finding, type FindingCode } from "./checks";

export interface Mute {
  readonly reason: string;
  readonly mutedBy: string;
  readonly mutedAt: Date;
}

export interface BrokerHygiene {
  readonly name: string;
  readonly kind: BrokerKind;
  readonly environment: string | null;
  /** "unsupported": the adapter cannot list queue settings. */
  readonly status: "ok" | "down" | "unsupported";
  readonly error: string | null;
  /** Queues checked. */
  readonly checked: number;
  readonly findings: readonly (Finding & { readonly mute: Mute | null })[];
}

const muteKey = (broker: string, queueId: string, code: string) => `${broker}\u0000${queueId}\u0000${code}`;

async function brokerHygiene(broker: ConfiguredBroker, mutes: ReadonlyMap<string, Mute>, rules: readonly { broker: string; queue: string }[]): Promise<BrokerHygiene> {
  const { config, adapter } = broker;
  const base = { name: config.name, kind: config.kind, environment: config.environment ?? null };
  if (!adapter) return { ...base, status: "down", error: broker.buildError?.message ?? "adapter unavailable", checked: 0, findings: [] };
  if (!adapter.listQueueSettings) return { ...base, status: "unsupported", error: null, checked: 0, findings: [] };
  try {
    const queues = await withTimeout(adapter.listQueueSettings(), config.name, BROKER_LIST_TIMEOUT_MS);
    const alerted = (queueId: string) => rules.some((rule) => ruleWatches(rule, config.name, queueId));
    const findings = checkQueues(config.kind, queues, alerted).map((finding) => ({ ...finding, mute: mutes.get(muteKey(config.name, finding.queue.id, finding.code)) ?? null }));
    return { ...base, status: "ok", error: null, checked: queues.length, findings };
  } catch (error) {
    return { ...base, status: "down", error: error instanceof Error ? error.message : String(error), checked: 0, findings: [] };
  }
}

/** Check every configured broker (in parallel); never throws for a broker's failure. */
export async function hygieneReport(): Promise<BrokerHygiene[]> {
  const [rows, rules] = await Promise.all([db().hygieneMute.findMany(), watchingRules()]);
  const mutes = new Map(rows.map((row) => [muteKey(row.broker, row.queueId, row.code), { reason: row.reason, mutedBy: row.mutedBy, mutedAt: row.mutedAt }]));
  return Promise.all(getBrokers().map((broker) => brokerHygiene(broker, mutes, rules)));
}

export interface MuteRequest {
  readonly broker: string;
  readonly queueId: string;
  readonly code: FindingCode;
}

function assertKnown(request: MuteRequest): void {
  if (!getBrokers().some((broker) => broker.config.name === request.broker)) throw new ApiError("not-found", `unknown broker "${request.broker}"`);
  if (!FINDING_CODES.includes(request.code)) throw new ApiError("bad-request", `unknown finding "${request.code}"`);
}

/** Mute one finding with a reason; the mute and its audit row commit together. */
export async function muteFinding(actor: Actor, request: MuteRequest & { readonly reason: string }): Promise<Mute> {
  assertKnown(request);
  return db().$transaction(async (tx) => {
    const key = { broker_queueId_code: { broker: request.broker, queueId: request.queueId, code: request.code } };
    const data = { reason: request.reason, mutedBy: actor.id, mutedAt: new Date() };
    const row = await tx.hygieneMute.upsert({ where: key, create: { broker: request.broker, queueId: request.queueId, code: request.code, ...data }, update: data });
    await appendAudit(tx, {
      actor: actor.id,
      action: "hygiene.mute",
      broker: request.broker,
      queueId: request.queueId,
      request: { code: request.code, reason: request.reason },
      outcome: { muted: true },
      clientIp: actor.ip,
      userAgent: actor.userAgent,
      via: actor.via,
    });
    return { reason: row.reason, mutedBy: row.mutedBy, mutedAt: row.mutedAt };
  });
}

/** Unmute one finding; false when it was not muted. Audited either way. */
export async function unmuteFinding(actor: Actor, request: MuteRequest): Promise<boolean> {
  assertKnown(request);
  return db().$transaction(async (tx) => {
    const { count } = await tx.hygieneMute.deleteMany({ where: { broker: request.broker, queueId: request.queueId, code: request.code } });
    await appendAudit(tx, {
      actor: actor.id,
      action: "hygiene.unmute",
      broker: request.broker,
      queueId: request.queueId,
      request: { code: request.code },
      outcome: { unmuted: count > 0 },
      clientIp: actor.ip,
      userAgent: actor.userAgent,
      via: actor.via,
    });
    return count > 0;
  });
}
