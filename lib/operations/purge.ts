import "server-only";
// Purge (selected or all) with archive first, restore from the archive, and archive retention.
// A message is removed from the broker only after its bytes and metadata are committed to
// Postgres, so a purge can always be undone while the archive keeps it.
import type { ArchivedMessage } from "@prisma/client";
import { ApiError } from "@/lib/api/api-error";
import { appendAudit, canonicalJson, type Tx } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/actor";
import type { DeadLetter, Destination, OutgoingMessage } from "@/lib/brokers/types";
import { db } from "@/lib/db/client";
import { fromPropertiesDto, toPropertiesDto } from "./properties";
import type { PolicyConfig } from "./replay";
import { MAX_MESSAGES_PER_REQUEST } from "./replay";
import { refuse, runOperation, type MessageOutcome, type OperationMeta, type OperationPlan, type OperationResponse, type OperationTarget } from "./run";

export interface ArchivePolicy extends PolicyConfig {
  readonly archiveRetentionDays: number;
}

/** Messages read per browse while purging. */
const PURGE_PAGE = 200;
/** A purge-all stops after this many messages; run it again for the rest. */
export const MAX_PURGE_ALL = 100_000;

function archiveRow(target: OperationTarget, operationId: string, message: DeadLetter, expiresAt: Date) {
  return {
    operationId,
    broker: target.broker,
    queueId: target.queueId,
    messageId: message.id,
    brokerMessageId: message.messageId,
    body: Buffer.from(message.body) as Uint8Array<ArrayBuffer>,
    contentType: message.contentType,
    contentEncoding: message.contentEncoding,
    properties: canonicalJson(toPropertiesDto(message.properties)),
    systemProperties: canonicalJson(toPropertiesDto(message.systemProperties)),
    partitionKey: message.partitionKey,
    sourceId: message.source?.id ?? null,
    sourceName: message.source?.name ?? null,
    failureReason: message.failure.reason,
    failureDescription: message.failure.description,
    expiresAt,
  };
}

/** Commit the archive of these messages (with an audit row) before anything is removed. */
async function archive(target: OperationTarget, actor: Actor, operationId: string, messages: readonly DeadLetter[], retentionDays: number): Promise<ArchivedMessage[]> {
  const expiresAt = new Date(Date.now() + retentionDays * 86_400_000);
  return db().$transaction(async (tx) => {
    const rows = await tx.archivedMessage.createManyAndReturn({ data: messages.map((message) => archiveRow(target, operationId, message, expiresAt)) });
    await appendAudit(tx, {
      actor: actor.id,
      action: "purge.archive",
      operationId,
      broker: target.broker,
      queueId: target.queueId,
      messageIds: rows.map((row) => row.messageId),
      request: { expiresAt },
      outcome: { archived: rows.map((row) => ({ id: row.messageId, archiveId: String(row.id), bytes: row.body.byteLength })) },
      clientIp: actor.ip,
      userAgent: actor.userAgent,
      via: actor.via,
    });
    return rows;
  });
}

/** Archive then remove `messages`; one outcome per message. */
async function archiveAndRemove(target: OperationTarget, actor: Actor, operationId: string, messages: readonly DeadLetter[], retentionDays: number): Promise<MessageOutcome[]> {
  if (messages.length === 0) return [];
  const rows = await archive(target, actor, operationId, messages, retentionDays);
  const removed = await target.adapter.remove(target.queueId, messages.map((message) => message.id));
  return removed.map((outcome, index) => ({
    id: outcome.id,
    status: outcome.status,
    archiveId: String(rows[index]!.id),
    ...(outcome.status === "failed" ? { error: outcome.error } : {}),
  }));
}

/** Find the named messages by reading the DLQ (first unused match per occurrence of an id). */
async function findMessages(target: OperationTarget, ids: readonly string[]): Promise<{ found: DeadLetter[]; missing: string[] }> {
  if (ids.length === 1) {
    const message = await target.adapter.getMessage(target.queueId, ids[0]!);
    return message ? { found: [message], missing: [] } : { found: [], missing: [...ids] };
  }
  const wanted = new Map<string, number>();
  for (const id of ids) wanted.set(id, (wanted.get(id) ?? 0) + 1);
  const found: DeadLetter[] = [];
  let cursor: string | null = null;
  do {
    const page = await target.adapter.browse(target.queueId, { cursor, limit: 500 });
    for (const message of page.messages) {
      const left = wanted.get(message.id) ?? 0;
      if (left > 0) {
        found.push(message);
        wanted.set(message.id, left - 1);
      }
    }
    cursor = page.nextCursor;
  } while (cursor && [...wanted.values()].some((left) => left > 0));
  const missing = [...wanted].flatMap(([id, left]) => Array.from({ length: left }, () => id));
  return { found, missing };
}

export interface PurgeInput extends OperationMeta {
  /** The messages to purge; absent with `all` purges the whole DLQ. */
  readonly ids?: readonly string[];
  readonly all?: boolean;
  /** Must equal the queue id: the operator typed the queue name. */
  readonly confirm: string;
}

/** Purge selected messages or the whole DLQ, archiving each before it is removed. */
export async function purgeMessages(target: OperationTarget, actor: Actor, input: PurgeInput, policy: ArchivePolicy): Promise<OperationResponse> {
  const ids = input.all ? [] : [...(input.ids ?? [])];
  const plan: OperationPlan = {
    kind: "purge",
    target,
    actor,
    meta: input,
    request: { all: input.all ?? false, ids, confirm: input.confirm },
    messageIds: ids,
    claims: input.all ? ["*"] : ids,
    reasonRequiredIn: policy.reasonRequiredIn,
  };
  if (input.confirm !== target.queueId) {
    await refuse(plan, new ApiError("bad-request", `type the queue name "${target.queueId}" to confirm the purge`));
  }
  if (!input.all && (ids.length === 0 || ids.length > MAX_MESSAGES_PER_REQUEST)) {
    await refuse(plan, new ApiError("bad-request", `a purge names 1 to ${MAX_MESSAGES_PER_REQUEST} messages, or all`));
  }
  await pruneExpiredArchives(actor);
  return runOperation(plan, async () => {
    if (!input.all) {
      const { found, missing } = await findMessages(target, ids);
      const outcomes = await archiveAndRemove(target, actor, input.operationId, found, policy.archiveRetentionDays);
      return { result: { outcomes: [...outcomes, ...missing.map((id) => ({ id, status: "not-found" }))] } };
    }
    // Page by page from the head: archive, remove, read again, so nothing unarchived is ever removed
    // (a queue-wide purge call would also take what arrived after the archive was written).
    const outcomes: MessageOutcome[] = [];
    while (outcomes.length < MAX_PURGE_ALL) {
      const page = await target.adapter.browse(target.queueId, { cursor: null, limit: PURGE_PAGE });
      if (page.messages.length === 0) break;
      const batch = await archiveAndRemove(target, actor, input.operationId, page.messages, policy.archiveRetentionDays);
      outcomes.push(...batch);
      if (!batch.some((outcome) => outcome.status === "removed")) break; // nothing moves: stop, do not spin
    }
    return { result: { outcomes } };
  });
}

/** An archived message as listed (body size only). */
export interface ArchiveSummary {
  readonly archiveId: string;
  readonly operationId: string;
  readonly messageId: string;
  readonly brokerMessageId: string | null;
  readonly size: number;
  readonly contentType: string | null;
  readonly source: { id: string; name: string } | null;
  readonly failureReason: string | null;
  readonly archivedAt: Date;
  readonly expiresAt: Date;
  readonly restoredAt: Date | null;
  readonly restoredBy: string | null;
  readonly restoredTo: string | null;
}

function toSummary(row: ArchivedMessage): ArchiveSummary {
  return {
    archiveId: String(row.id),
    operationId: row.operationId,
    messageId: row.messageId,
    brokerMessageId: row.brokerMessageId,
    size: row.body.byteLength,
    contentType: row.contentType,
    source: row.sourceId ? { id: row.sourceId, name: row.sourceName ?? row.sourceId } : null,
    failureReason: row.failureReason,
    archivedAt: row.archivedAt,
    expiresAt: row.expiresAt,
    restoredAt: row.restoredAt,
    restoredBy: row.restoredBy,
    restoredTo: row.restoredTo,
  };
}

/** Archived messages of one queue, newest first, keyset-paged by archive id. */
export async function listArchives(broker: string, queueId: string, options: { cursor?: string | null; limit: number }) {
  const rows = await db().archivedMessage.findMany({
    where: { broker, queueId, expiresAt: { gt: new Date() }, ...(options.cursor ? { id: { lt: BigInt(options.cursor) } } : {}) },
    orderBy: { id: "desc" },
    take: options.limit + 1,
  });
  const page = rows.slice(0, options.limit);
  return { archives: page.map(toSummary), nextCursor: rows.length > options.limit ? String(page.at(-1)!.id) : null };
}

/** Delete archives past their retention; audited when any went. */
export async function pruneExpiredArchives(actor: Actor, now = new Date()): Promise<number> {
  return db().$transaction(async (tx) => {
    const { count } = await tx.archivedMessage.deleteMany({ where: { expiresAt: { lt: now } } });
    if (count > 0) {
      await appendAudit(tx, { actor: actor.id, action: "archive.prune", request: { before: now }, outcome: { deleted: count }, clientIp: actor.ip, userAgent: actor.userAgent, via: actor.via });
    }
    return count;
  });
}

export interface RestoreInput extends OperationMeta {
  readonly archiveIds: readonly string[];
  /** Back to the DLQ it was purged from, or to the queue it came from. */
  readonly to: "dlq" | "source";
}

/** Send archived messages back to the DLQ or their source; each restores once. */
export async function restoreArchived(target: OperationTarget, actor: Actor, request: RestoreInput, policy: PolicyConfig): Promise<OperationResponse> {
  const input = { ...request, archiveIds: [...new Set(request.archiveIds)] };
  const plan: OperationPlan = {
    kind: "restore",
    target,
    actor,
    meta: input,
    request: { archiveIds: [...input.archiveIds], to: input.to },
    messageIds: [],
    claims: input.archiveIds.map((id) => `archive:${id}`),
    reasonRequiredIn: policy.reasonRequiredIn,
  };
  if (input.archiveIds.length === 0 || input.archiveIds.length > MAX_MESSAGES_PER_REQUEST || !input.archiveIds.every((id) => /^\d+$/.test(id))) {
    await refuse(plan, new ApiError("bad-request", `a restore names 1 to ${MAX_MESSAGES_PER_REQUEST} archive ids`));
  }
  const rows = await db().archivedMessage.findMany({
    where: { id: { in: input.archiveIds.map((id) => BigInt(id)) }, broker: target.broker, queueId: target.queueId },
  });
  const byId = new Map(rows.map((row) => [String(row.id), row]));
  const messageIds = rows.map((row) => row.messageId);

  return runOperation({ ...plan, messageIds }, async () => {
    const outcomes = new Map<string, MessageOutcome>();
    const groups = new Map<string, ArchivedMessage[]>();
    for (const archiveId of input.archiveIds) {
      const row = byId.get(archiveId);
      if (!row) outcomes.set(archiveId, { id: archiveId, status: "not-found", archiveId });
      else if (row.restoredAt) outcomes.set(archiveId, { id: row.messageId, status: "skipped", archiveId, error: `already restored ${row.restoredAt.toISOString()}` });
      else {
        const destination = input.to === "dlq" ? row.queueId : row.sourceId;
        if (!destination) outcomes.set(archiveId, { id: row.messageId, status: "failed", archiveId, error: "the archive does not say which queue this message came from" });
        else groups.set(destination, [...(groups.get(destination) ?? []), row]);
      }
    }
    const restored: ArchivedMessage[] = [];
    for (const [destinationId, group] of groups) {
      const destination: Destination = { id: destinationId };
      const messages: OutgoingMessage[] = group.map((row) => ({
        messageId: row.brokerMessageId,
        body: new Uint8Array(row.body),
        contentType: row.contentType,
        properties: fromPropertiesDto(JSON.parse(row.properties)),
        partitionKey: row.partitionKey,
        stamp: { operationId: input.operationId, operator: actor.id, replayCount: 1 },
      }));
      const sent = await target.adapter.send(destination, messages);
      sent.forEach((outcome) => {
        const row = group[outcome.index]!;
        const archiveId = String(row.id);
        if (outcome.status === "sent") {
          restored.push(row);
          outcomes.set(archiveId, { id: row.messageId, status: "restored", archiveId, sentMessageId: outcome.sentMessageId });
        } else {
          outcomes.set(archiveId, { id: row.messageId, status: "failed", archiveId, error: outcome.error });
        }
      });
    }
    return {
      result: { outcomes: input.archiveIds.map((archiveId) => outcomes.get(archiveId)!) },
      store: async (tx: Tx) => {
        await tx.archivedMessage.updateMany({
          where: { id: { in: restored.map((row) => row.id) } },
          data: { restoredAt: new Date(), restoredBy: actor.id, restoreOperationId: input.operationId, restoredTo: input.to },
        });
      },
    };
  });
}
