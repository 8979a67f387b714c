import "server-only";
// Reads the message index: a filtered page in queue order, the failure groups with their counts
// over the whole DLQ, and the ids matching a filter (the "all matching this filter" selection).
import { Prisma } from "@prisma/client";
import type { MessageSummaryDto } from "@/lib/api/schemas/messages";
import { db } from "@/lib/db/client";

export interface IndexFilter {
  /** Words that must all appear in ids, reason, headers or payload text (case-insensitive). */
  readonly text: string;
  /** Fingerprint id of one failure group. */
  readonly group: string | null;
  /** Dead-lettered (or, where unknown, enqueued) at or after / before. */
  readonly from: Date | null;
  readonly to: Date | null;
  /** False: words match ids, reason and description only, never headers or payloads (viewers). */
  readonly searchPayloads?: boolean;
}

export const NO_FILTER: IndexFilter = { text: "", group: null, from: null, to: null };

export interface IndexGroup {
  readonly id: string;
  readonly label: string;
  readonly count: number;
  readonly exampleId: string;
}

interface Row {
  id: string;
  message_id: string | null;
  position: number;
  enqueued_at: Date | null;
  dead_lettered_at: Date | null;
  reason: string | null;
  description: string | null;
  fingerprint_id: string;
  fingerprint_label: string;
  attempt_count: number | null;
  attempt_cap: number | null;
  source_id: string | null;
  source_name: string | null;
  partition_key: string | null;
  size_bytes: number;
  content_type: string | null;
  preview: string;
}

const likeEscape = (word: string) => word.replace(/[\\%_]/g, (char) => `\\${char}`);

function where(broker: string, queueId: string, filter: IndexFilter, options: { group: boolean }): Prisma.Sql {
  const parts = [Prisma.sql`broker = ${broker}`, Prisma.sql`queue_id = ${queueId}`];
  // Without payload search, a viewer cannot probe payloads by counting matches.
  const haystack =
    filter.searchPayloads === false
      ? Prisma.sql`lower(id || ' ' || coalesce(message_id, '') || ' ' || coalesce(reason, '') || ' ' || coalesce(description, ''))`
      : Prisma.sql`search_text`;
  for (const word of filter.text.toLowerCase().split(/\s+/).filter(Boolean)) {
    parts.push(Prisma.sql`${haystack} LIKE ${`%${likeEscape(word)}%`} ESCAPE '\\'`);
  }
  if (options.group && filter.group) parts.push(Prisma.sql`fingerprint_id = ${filter.group}`);
  if (filter.from) parts.push(Prisma.sql`coalesce(dead_lettered_at, enqueued_at) >= ${filter.from}`);
  if (filter.to) parts.push(Prisma.sql`coalesce(dead_lettered_at, enqueued_at) < ${filter.to}`);
  return Prisma.join(parts, " AND ");
}

function summaryOf(row: Row): MessageSummaryDto {
  return {
    id: row.id,
    messageId: row.message_id,
    enqueuedAt: row.enqueued_at?.toISOString() ?? null,
    deadLetteredAt: row.dead_lettered_at?.toISOString() ?? null,
    reason: row.reason,
    description: row.description,
    attempts: { count: row.attempt_count, cap: row.attempt_cap },
    source: row.source_id ? { id: row.source_id, name: row.source_name ?? row.source_id } : null,
    partitionKey: row.partition_key,
    contentType: row.content_type,
    size: row.size_bytes,
    fingerprint: { id: row.fingerprint_id, label: row.fingerprint_label },
    preview: row.preview === "" ? null : row.preview,
  };
}

export interface IndexPage {
  readonly messages: MessageSummaryDto[];
  /** Messages matching the filter in the whole index. */
  readonly total: number;
  /** Failure groups over everything matching the filter but its group, largest first. */
  readonly groups: IndexGroup[];
  /** Position after which the next page starts; null at the end. */
  readonly nextCursor: number | null;
}

/** One page of the index in queue order, with the total and the failure groups. */
export async function queryIndex(broker: string, queueId: string, filter: IndexFilter, page: { cursor: number | null; limit: number }): Promise<IndexPage> {
  const matching = where(broker, queueId, filter, { group: true });
  const after = page.cursor === null ? Prisma.empty : Prisma.sql`AND position > ${page.cursor}`;
  const [rows, counted, groups] = await Promise.all([
    db().$queryRaw<Row[]>`
      SELECT id, message_id, position, enqueued_at, dead_lettered_at, reason, description, fingerprint_id, fingerprint_label,
        attempt_count, attempt_cap, source_id, source_name, partition_key, size_bytes, content_type, preview
      FROM message_index WHERE ${matching} ${after} ORDER BY position LIMIT ${page.limit + 1}`,
    db().$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM message_index WHERE ${matching}`,
    db().$queryRaw<{ id: string; label: string; count: number; example_id: string }[]>`
      SELECT fingerprint_id AS id, fingerprint_label AS label, count(*)::int AS count, min(id) AS example_id
      FROM message_index WHERE ${where(broker, queueId, filter, { group: false })}
      GROUP BY fingerprint_id, fingerprint_label ORDER BY count DESC, label LIMIT 500`,
  ]);
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  return {
    messages: shown.map(summaryOf),
    total: counted[0]?.total ?? 0,
    groups: groups.map((group) => ({ id: group.id, label: group.label, count: group.count, exampleId: group.example_id })),
    nextCursor: more ? shown.at(-1)!.position : null,
  };
}

/** The ids matching a filter, in queue order, at most `max` (for "select all matching"). */
export async function matchingIds(broker: string, queueId: string, filter: IndexFilter, max: number): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT id FROM message_index WHERE ${where(broker, queueId, filter, { group: true })} ORDER BY position LIMIT ${max}`;
  return rows.map((row) => row.id);
}

export interface TopFailure {
  readonly label: string;
  readonly count: number;
  /** Messages in the index of that queue. */
  readonly indexed: number;
}

/** Each indexed queue's largest failure group, keyed `${broker}\u0000${queueId}`; queues never indexed are absent. */
export async function topFailures(queues: readonly { broker: string; queueId: string }[]): Promise<Map<string, TopFailure>> {
  const result = new Map<string, TopFailure>();
  if (queues.length === 0) return result;
  const rows = await db().$queryRaw<{ broker: string; queue_id: string; label: string; count: number; indexed: number }[]>`
    WITH wanted AS (SELECT * FROM unnest(${queues.map((queue) => queue.broker)}::text[], ${queues.map((queue) => queue.queueId)}::text[]) AS w(broker, queue_id)),
    counted AS (
      SELECT i.broker, i.queue_id, i.fingerprint_label AS label, count(*)::int AS count,
        sum(count(*)) OVER (PARTITION BY i.broker, i.queue_id)::int AS indexed
      FROM message_index i JOIN wanted w ON w.broker = i.broker AND w.queue_id = i.queue_id
      GROUP BY i.broker, i.queue_id, i.fingerprint_label)
    SELECT DISTINCT ON (broker, queue_id) broker, queue_id, label, count, indexed FROM counted ORDER BY broker, queue_id, count DESC, label`;
  for (const row of rows) result.set(`${row.broker}\u0000${row.queue_id}`, { label: row.label, count: row.count, indexed: row.indexed });
  return result;
}
