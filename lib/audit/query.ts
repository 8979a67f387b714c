import "server-only";
// Reading the audit log: filtered keyset pages (newest first for the review page, oldest first for
// exports), the chain check, and the console's own earlier actions on one message.
import type { AuditEntry, Prisma } from "@prisma/client";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/sql";
import type { HistoryEvent } from "@/lib/brokers/types";
import { GENESIS_HASH, verifyChain, type ChainVerdict } from "./chain";
import { auditContent } from "./log";

/** Filters of the review page and the exports; every field optional. */
export interface AuditFilter {
  readonly actor?: string;
  /** An exact action (`replay.outcome`) or a kind (`replay`, matching `replay.*`). */
  readonly action?: string;
  readonly broker?: string;
  readonly queueId?: string;
  readonly messageId?: string;
  readonly from?: Date;
  readonly to?: Date;
}

function whereOf(filter: AuditFilter): Prisma.AuditEntryWhereInput {
  const action = filter.action
    ? filter.action.includes(".")
      ? { action: filter.action }
      : { action: { startsWith: `${filter.action}.` } }
    : {};
  return {
    ...(filter.actor ? { actor: filter.actor } : {}),
    ...action,
    ...(filter.broker ? { broker: filter.broker } : {}),
    ...(filter.queueId ? { queueId: filter.queueId } : {}),
    ...(filter.messageId ? { messageIds: { has: filter.messageId } } : {}),
    ...(filter.from || filter.to ? { at: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } } : {}),
  };
}

export interface AuditPage {
  readonly entries: AuditEntry[];
  /** The id to pass as `cursor` for the next (older) page, or null at the end. */
  readonly nextCursor: string | null;
}

/** One page of matching rows, newest first; `cursor` is the last id of the previous page. */
export async function listAudit(filter: AuditFilter, options: { cursor?: string | null; limit: number }): Promise<AuditPage> {
  const where = whereOf(filter);
  const entries = await db().auditEntry.findMany({
    where: options.cursor ? { AND: [where, { id: { lt: BigInt(options.cursor) } }] } : where,
    orderBy: { id: "desc" },
    take: options.limit + 1,
  });
  const more = entries.length > options.limit;
  const page = entries.slice(0, options.limit);
  return { entries: page, nextCursor: more ? String(page.at(-1)!.id) : null };
}

/** Every matching row, oldest first, fetched `pageSize` at a time by id (never all in memory). */
export async function* auditRows(filter: AuditFilter, pageSize = 500): AsyncGenerator<AuditEntry> {
  const where = whereOf(filter);
  let after: bigint | null = null;
  for (;;) {
    const page: AuditEntry[] = await db().auditEntry.findMany({
      where: after === null ? where : { AND: [where, { id: { gt: after } }] },
      orderBy: { id: "asc" },
      take: pageSize,
    });
    yield* page;
    if (page.length < pageSize) return;
    after = page.at(-1)!.id;
  }
}

export type AuditVerdict =
  | { readonly ok: true; readonly rows: number; readonly lastHash: string }
  | { readonly ok: false; readonly rows: number; readonly brokenAt: string; readonly problem: string; readonly entry: AuditEntry | null };

/** Walk the whole chain in id order, a page at a time; names the first row that does not match. */
export async function verifyAuditLog(pageSize = 1000): Promise<AuditVerdict> {
  let previous = GENESIS_HASH;
  let rows = 0;
  for (let after: bigint | null = null; ; ) {
    const page: AuditEntry[] = await db().auditEntry.findMany({ where: after === null ? {} : { id: { gt: after } }, orderBy: { id: "asc" }, take: pageSize });
    const verdict: ChainVerdict = verifyChain(
      page.map((entry) => ({ id: entry.id, previousHash: entry.previousHash, hash: entry.hash, content: auditContent(entry) })),
      previous,
    );
    if (!verdict.ok) {
      const entry = page.find((candidate) => candidate.id === verdict.brokenAt) ?? null;
      return { ok: false, rows: rows + verdict.rows, brokenAt: String(verdict.brokenAt), problem: verdict.problem, entry };
    }
    rows += verdict.rows;
    previous = verdict.lastHash;
    if (page.length < pageSize) return { ok: true, rows, lastHash: previous };
    after = page.at(-1)!.id;
  }
}

interface OutcomeLine {
  readonly id: string;
  readonly status: string;
}

/** Audit actions that record the console sending a message out of a DLQ again, one outcome line per message. */
const REPLAY_ACTIONS = ["replay.outcome", "resend.outcome", "bulk-replay.batch"] as const;
/** Outcome statuses of a line that mean a copy was sent. */
const SENT = new Set(["moved", "sent-kept", "sent-not-removed"]);

interface ReplayRow {
  readonly action: string;
  readonly at: Date;
  readonly actor: string;
  readonly operation_id: string | null;
  readonly request: string;
  readonly outcome: string;
}

/**
 * The replay, resend and bulk batch rows naming any of `ids`, oldest first (optionally without one
 * operation's own rows). Always through the GIN index on message_ids: otherwise the planner picks
 * a sequential scan on a small log, or the (broker, queue_id, id) index, or the primary key for
 * the order, and then compares each row's ids with every wanted id (rows × ids × ids: 130-150 ms
 * for 500 ids against 80 bulk batch rows, and growing with the job). So sequential scans are off
 * for this one query, and the broker test and the order are written as expressions no other
 * index serves (0.8-15 ms the same lookup, by how much of the GIN index awaits its merge).
 */
async function replayRows(broker: string, ids: readonly string[], options: { excludeOperation?: string; limit?: number } = {}): Promise<ReplayRow[]> {
  if (ids.length === 0) return [];
  const limit = options.limit ?? 1_000_000;
  // On the plain pool (lib/db/sql.ts): a bulk lane runs it before every batch.
  return inTransaction(async (client) => {
    await client.query("SET LOCAL enable_seqscan = off");
    const { rows } = await client.query<ReplayRow>(
      `SELECT action, at, actor, operation_id, request, outcome FROM audit_log
       WHERE (broker || '') = $1 AND action = ANY($2::text[])
         AND operation_id IS DISTINCT FROM $3
         AND message_ids && ARRAY(SELECT json_array_elements_text($4::json))
       ORDER BY id + 0 LIMIT $5`,
      [broker, [...REPLAY_ACTIONS], options.excludeOperation ?? null, JSON.stringify(ids), limit],
    );
    return rows;
  });
}

/** How often the console sent each of `ids` out of the DLQ before (replays, resends, bulk batches), optionally not counting one operation. */
export async function priorReplayCounts(broker: string, ids: readonly string[], excludeOperation?: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const wanted = new Set(ids);
  for (const row of await replayRows(broker, [...wanted], { excludeOperation })) {
    const { outcomes = [] } = JSON.parse(row.outcome) as { outcomes?: OutcomeLine[] };
    for (const line of outcomes) if (wanted.has(line.id) && SENT.has(line.status)) counts.set(line.id, (counts.get(line.id) ?? 0) + 1);
  }
  return counts;
}

/** The console's own replays and edits of a message (bulk jobs included), from the audit log, oldest first. */
export async function consoleHistory(broker: string, messageIds: readonly string[]): Promise<HistoryEvent[]> {
  const ids = [...new Set(messageIds.filter(Boolean))];
  const events: HistoryEvent[] = [];
  for (const row of await replayRows(broker, ids, { limit: 200 })) {
    const outcome = JSON.parse(row.outcome) as { outcomes?: OutcomeLine[] };
    const request = JSON.parse(row.request) as { destination?: { id?: string } | null };
    const line = outcome.outcomes?.find((candidate) => ids.includes(candidate.id));
    if (!line) continue;
    const what = row.action === "resend.outcome" ? "edited and resent" : row.action === "bulk-replay.batch" ? "replayed in a bulk job" : "replayed";
    events.push({
      kind: row.action === "resend.outcome" ? "edited" : "replayed",
      at: row.at,
      queue: request.destination?.id ?? undefined,
      detail: `${what} by ${row.actor} (operation ${row.operation_id}): ${line.status}`,
    });
  }
  return events;
}
