import "server-only";
// Planning a bulk replay: resolve the selection to ids (explicit, or from the message index), read
// the DLQ once to freeze those messages (id, payload hash, partition key, group, destination) as
// rows of bulk_job_item, and summarise what would happen. Nothing is sent: the plan is the dry run.
// Messages that arrive later are not in the plan; selected ids already gone are counted as missing.
import { createHash } from "node:crypto";
import { ApiError } from "@/lib/api/api-error";
import { appendAudit, canonicalJson } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/actor";
import type { Destination } from "@/lib/brokers/types";
import { readWholeQueue } from "@/lib/brokers/whole-queue";
import type { BulkReplayConfig } from "@/lib/config";
import { db } from "@/lib/db/client";
import { fingerprintOf } from "@/lib/triage/fingerprint";
import { matchingIds, NO_FILTER } from "@/lib/triage/index-query";
import { indexState } from "@/lib/triage/message-index";
import { previewReplay } from "../replay";
import { reasonRequired, type OperationMeta, type OperationTarget } from "../run";
import { selectionView, type JobSettings, type JobSettingsInput, type PlanRoute, type PlanSummary, type Selection } from "./model";
import { auditBase, toJobView, type JobView } from "./view";

/** Configured defaults and limits, with the environments that need a reason. */
export interface PlanPolicy extends BulkReplayConfig {
  readonly reasonRequiredIn: readonly string[];
}

export interface PlanInput extends OperationMeta {
  readonly selection: Selection;
  readonly destination?: Destination;
  readonly settings?: JobSettingsInput;
}

/** One frozen message, as written to bulk_job_item. */
interface PlanItem {
  readonly seq: number;
  readonly messageId: string;
  readonly brokerMessageId: string | null;
  readonly payloadHash: string;
  readonly partitionKey: string | null;
  readonly lane: number;
  readonly groupId: string;
  readonly groupLabel: string;
  readonly sendTo: string | null;
}

/**
 * Write a chunk of items in one statement of nine array parameters. Not createMany: Prisma 7
 * builds one parameter descriptor per value, and each 1,000-row call left ~4 MB of them on the
 * heap until later queries displaced them (40 calls: 23 → 185 MB after a full GC), so a plan's
 * memory grew with its size (~2 KB per message; 200 MB at 40,000). Now it stays at one chunk.
 */
async function insertItems(jobId: string, items: readonly PlanItem[]): Promise<void> {
  const column = <K extends keyof PlanItem>(key: K) => items.map((item) => item[key]);
  await db().$executeRaw`
    INSERT INTO bulk_job_item (job_id, seq, message_id, broker_message_id, payload_hash, partition_key, lane, group_id, group_label, send_to)
    SELECT ${jobId}, u.* FROM unnest(${column("seq")}::int[], ${column("messageId")}::text[], ${column("brokerMessageId")}::text[],
      ${column("payloadHash")}::text[], ${column("partitionKey")}::text[], ${column("lane")}::int[], ${column("groupId")}::text[],
      ${column("groupLabel")}::text[], ${column("sendTo")}::text[]) AS u`;
}

/** Item rows written per INSERT while planning. */
const INSERT_CHUNK = 1000;
/** Destinations whose route is previewed through the adapter (one example message each). */
const MAX_ROUTE_PREVIEWS = 10;

/** The job's settings: the request's, else the configured defaults, clamped to the limits. */
export function jobSettings(input: JobSettingsInput | undefined, defaults: BulkReplayConfig): JobSettings {
  return {
    ratePerSecond: Math.min(input?.ratePerSecond ?? defaults.ratePerSecond, defaults.maxRatePerSecond),
    concurrency: input?.concurrency ?? defaults.concurrency,
    batchSize: input?.batchSize ?? defaults.batchSize,
    canarySize: input?.canarySize ?? defaults.canarySize,
    canaryWindowMs: input?.canaryWindowMs ?? defaults.canaryWindowMs,
    returnThreshold: input?.returnThreshold ?? defaults.returnThreshold,
    failureThreshold: input?.failureThreshold ?? defaults.failureThreshold,
  };
}

async function selectedIds(target: OperationTarget, selection: Selection, max: number): Promise<string[]> {
  if (selection.kind === "ids") return [...new Set(selection.ids)].slice(0, max);
  const state = await indexState(target.broker, target.queueId);
  if (state.finishedAt === null) throw new ApiError("unprocessable", "this DLQ has not been indexed yet: refresh its index, then select a group or a filter");
  const filter =
    selection.kind === "group"
      ? { ...NO_FILTER, group: selection.group }
      : { text: selection.text, group: selection.group, from: selection.from ? new Date(selection.from) : null, to: selection.to ? new Date(selection.to) : null };
  return matchingIds(target.broker, target.queueId, filter, max);
}

const hashKey = (key: string) => createHash("sha256").update(key).digest().readUInt32BE(0);

/**
 * The lane of an item: one per partition key (so a key's messages go in order, one batch at a
 * time), else runs of a batch each dealt round-robin, so a lane's batch sits together in the queue.
 */
function laneOf(seq: number, partitionKey: string | null, settings: JobSettings): number {
  if (settings.concurrency === 1) return 0;
  return partitionKey !== null ? hashKey(partitionKey) % settings.concurrency : Math.floor(seq / settings.batchSize) % settings.concurrency;
}

function requestText(target: OperationTarget, input: PlanInput): string {
  return canonicalJson({ broker: target.broker, queueId: target.queueId, selection: input.selection, destination: input.destination ?? null });
}

/** Plan a bulk replay (the dry run): freeze the selected messages and say what would happen. A repeat of the id returns the same plan. */
export async function planBulkReplay(target: OperationTarget, actor: Actor, input: PlanInput, defaults: PlanPolicy): Promise<JobView> {
  const jobId = input.operationId;
  const existing = await db().bulkJob.findUnique({ where: { id: jobId } });
  if (existing) {
    const same = canonicalJson({ broker: existing.broker, queueId: existing.queueId, selection: JSON.parse(existing.selection), destination: existing.destination ? JSON.parse(existing.destination) : null });
    if (same !== requestText(target, input)) throw new ApiError("conflict", `operation id ${jobId} was already used for a different request; use a new id`);
    return toJobView(existing);
  }
  const settings = jobSettings(input.settings, defaults);
  const refuse = async (error: ApiError): Promise<never> => {
    await db().$transaction((tx) =>
      appendAudit(tx, {
        ...auditBase({ id: jobId, broker: target.broker, queueId: target.queueId }, actor),
        action: "bulk-replay.refused",
        request: { selection: input.selection, destination: input.destination ?? null, settings },
        outcome: { refused: error.code, message: error.message },
      }),
    );
    throw error;
  };
  if (reasonRequired(target.environment, defaults.reasonRequiredIn) && !input.reason?.trim() && !input.ticket?.trim()) {
    await refuse(new ApiError("unprocessable", `a reason or ticket is required for operations on ${target.broker} (environment "${target.environment}")`));
  }
  let wanted: Set<string>;
  try {
    wanted = new Set(await selectedIds(target, input.selection, defaults.maxMessages));
  } catch (error) {
    if (error instanceof ApiError) await refuse(error);
    throw error;
  }
  if (wanted.size === 0) await refuse(new ApiError("unprocessable", "the selection matches no messages"));

  await db().bulkJob.create({
    data: {
      id: jobId,
      actor: actor.id,
      broker: target.broker,
      queueId: target.queueId,
      selection: canonicalJson(input.selection),
      selectionView: canonicalJson(selectionView(input.selection)),
      destination: input.destination ? canonicalJson(input.destination) : null,
      reason: input.reason ?? null,
      ticket: input.ticket ?? null,
      status: "planning",
      ...settings,
      total: 0,
      summary: "{}",
    },
  });

  // Freeze: one read of the DLQ, keeping the selected messages in queue order.
  const groups = new Map<string, { id: string; label: string; count: number }>();
  const destinations = new Map<string | null, { count: number; example: string }>();
  const keys = new Set<string>();
  const found = new Set<string>();
  let chunk: PlanItem[] = [];
  let seq = 0;
  let unread = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await insertItems(jobId, chunk);
    chunk = [];
  };
  try {
    for await (const message of readWholeQueue(target.adapter, target.queueId)) {
      if (!wanted.has(message.id) || found.has(message.id)) continue;
      found.add(message.id);
      const group = fingerprintOf(message.failure.reason, message.failure.description);
      const sendTo = input.destination?.id ?? message.source?.id ?? null;
      const known = groups.get(group.id);
      groups.set(group.id, { id: group.id, label: group.label, count: (known?.count ?? 0) + 1 });
      const destination = destinations.get(sendTo);
      destinations.set(sendTo, { count: (destination?.count ?? 0) + 1, example: destination?.example ?? message.id });
      if (message.partitionKey !== null) keys.add(message.partitionKey);
      chunk.push({
        seq,
        messageId: message.id,
        brokerMessageId: message.messageId,
        payloadHash: createHash("sha256").update(message.body).digest("hex"),
        partitionKey: message.partitionKey,
        lane: laneOf(seq, message.partitionKey, settings),
        groupId: group.id,
        groupLabel: group.label,
        sendTo,
      });
      seq++;
      if (chunk.length >= INSERT_CHUNK) await flush();
      if (found.size === wanted.size) break;
    }
    // A FIFO DLQ read from the head shows only each group's first message: the rest of the
    // selection cannot be read now, so it is frozen unread, in the order it was selected, and
    // replayed in one lane (its keys are unknown until then) — never silently dropped.
    const { capabilities } = target.adapter;
    if (capabilities.orderedPartitions && !capabilities.truePeek && keys.size > 0 && found.size < wanted.size) {
      for (const id of wanted) {
        if (found.has(id)) continue;
        const sendTo = input.destination?.id ?? null;
        groups.set("unread", { id: "unread", label: "(not readable at planning)", count: (groups.get("unread")?.count ?? 0) + 1 });
        destinations.set(sendTo, { count: (destinations.get(sendTo)?.count ?? 0) + 1, example: destinations.get(sendTo)?.example ?? id });
        chunk.push({ seq, messageId: id, brokerMessageId: null, payloadHash: "", partitionKey: null, lane: 0, groupId: "unread", groupLabel: "(not readable at planning)", sendTo });
        seq++;
        unread++;
        if (chunk.length >= INSERT_CHUNK) await flush();
      }
      await flush();
      await db().$executeRaw`UPDATE bulk_job_item SET lane = 0 WHERE job_id = ${jobId}`;
      await db().bulkJob.update({ where: { id: jobId }, data: { concurrency: 1 } });
    }
    await flush();
    // Fresh statistics for the rows just written, so the run's lookups plan for a job of this
    // size (where autovacuum is off or has not come round yet, Postgres still sees the table as it was).
    await db().$executeRaw`ANALYZE bulk_job_item`;
  } catch (error) {
    // A broker that fails mid-read leaves no half plan behind.
    await db().bulkJob.delete({ where: { id: jobId } });
    throw error;
  }

  const examples = [...destinations.values()].slice(0, MAX_ROUTE_PREVIEWS).map((destination) => destination.example);
  const preview = examples.length > 0 ? await previewReplay(target, examples, input.destination) : { routes: [] };
  const routes: PlanRoute[] = preview.routes.map((route) => ({
    sendTo: route.sendTo,
    receivers: route.receivers,
    changes: route.changes,
    blocked: route.blocked,
    count: route.messageIds.reduce((sum, id) => sum + ([...destinations.values()].find((destination) => destination.example === id)?.count ?? 0), 0),
  }));
  const missing = unread > 0 ? [] : [...wanted].filter((id) => !found.has(id));
  const blockedRoute = routes.find((route) => route.blocked !== null);
  const summary: PlanSummary = {
    total: seq,
    byGroup: [...groups.values()].sort((a, b) => b.count - a.count),
    byDestination: [...destinations.entries()].map(([sendTo, { count }]) => ({ sendTo, count })).sort((a, b) => b.count - a.count),
    partitionKeys: keys.size,
    routes,
    missingAtPlan: missing.length,
    unreadAtPlan: unread,
    missingExamples: missing.slice(0, 20),
    blocked: seq === 0 ? "none of the selected messages is in the DLQ any more" : (blockedRoute?.blocked ?? null),
  };
  const row = await db().$transaction(async (tx) => {
    const job = await tx.bulkJob.update({ where: { id: jobId }, data: { status: "planned", total: seq, summary: canonicalJson(summary) } });
    // The operation row: idempotency of the id across operation kinds, and the broker the permission guard scopes job routes by.
    await tx.operation.create({
      data: {
        id: jobId,
        kind: "bulk-replay",
        actor: actor.id,
        broker: target.broker,
        queueId: target.queueId,
        request: requestText(target, input),
        requestHash: createHash("sha256").update(requestText(target, input)).digest("hex"),
        status: "planned",
        reason: input.reason ?? null,
        ticket: input.ticket ?? null,
      },
    });
    await appendAudit(tx, {
      ...auditBase(job, actor),
      action: "bulk-replay.plan",
      request: { selection: input.selection, destination: input.destination ?? null, settings },
      outcome: { total: summary.total, byGroup: summary.byGroup.slice(0, 50), byDestination: summary.byDestination.slice(0, 50), missingAtPlan: summary.missingAtPlan, blocked: summary.blocked },
    });
    return job;
  });
  return toJobView(row);
}
