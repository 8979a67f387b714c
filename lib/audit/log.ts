import "server-only";
// The audit log writer (rule 7). appendAudit() runs inside the caller's transaction, next to the
// operation state it records, so the two commit or fail together; there is no fire-and-forget
// path. Appends are serialised by a transaction-scoped advisory lock, and previous_hash is unique,
// so concurrent writers can never fork the chain.
import type { AuditEntry, Prisma } from "@prisma/client";
import type { PoolClient } from "pg";
import { canonicalize, chainHash, GENESIS_HASH } from "./chain";

/** A Prisma transaction client (appendAudit); appendAudits takes a pg client inside its transaction. */
export type Tx = Prisma.TransactionClient;

/** What the log records about one event. */
export interface AuditRecord {
  readonly actor: string;
  /** How the actor acted outside a browser session, e.g. `token <id> (<name>)` (Actor.via). */
  readonly via?: string | null;
  /** `<kind>.intent`, `<kind>.outcome`, `<kind>.refused`, `purge.archive`, `message.view`, ... */
  readonly action: string;
  readonly operationId?: string | null;
  readonly broker?: string | null;
  readonly queueId?: string | null;
  readonly messageIds?: readonly string[];
  /** The request: destination, edit diff, reason. Canonicalised before it is stored. */
  readonly request?: unknown;
  /** Per-message outcome, or why it was refused. */
  readonly outcome?: unknown;
  readonly clientIp?: string | null;
  readonly userAgent?: string | null;
}

/** Advisory lock key (pg_advisory_xact_lock(bigint)) that serialises appends to the chain. */
const CHAIN_LOCK_KEY = 0x646c63_617564n; // "dlc" "aud"

/** Canonical JSON text of a value: sorted keys, dates as ISO, bytes as base64. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value ?? null));
}

type StoredRow = Pick<
  AuditEntry,
  "at" | "actor" | "via" | "action" | "operationId" | "broker" | "queueId" | "messageIds" | "request" | "outcome" | "clientIp" | "userAgent"
>;

/** Everything a row's hash covers, in the one shape the writer and verify both use. */
export function auditContent(row: StoredRow): Record<string, unknown> {
  return {
    at: row.at,
    actor: row.actor,
    // Only when set: rows from before the column (and every session row) hash as they always did.
    via: row.via ?? undefined,
    action: row.action,
    operationId: row.operationId,
    broker: row.broker,
    queueId: row.queueId,
    messageIds: row.messageIds,
    request: row.request,
    outcome: row.outcome,
    clientIp: row.clientIp,
    userAgent: row.userAgent,
  };
}

function storedRow(record: AuditRecord, at: Date): StoredRow {
  return {
    at,
    actor: record.actor,
    via: record.via ?? null,
    action: record.action,
    operationId: record.operationId ?? null,
    broker: record.broker ?? null,
    queueId: record.queueId ?? null,
    messageIds: [...new Set(record.messageIds ?? [])],
    request: canonicalJson(record.request),
    outcome: canonicalJson(record.outcome),
    clientIp: record.clientIp ?? null,
    userAgent: record.userAgent ?? null,
  };
}

/** Take the chain's lock for the rest of `tx`, then read the hash the next row follows. */
async function lockedHead(tx: Tx): Promise<string> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK_KEY})`;
  const last = await tx.auditEntry.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  return last?.hash ?? GENESIS_HASH;
}

/** Append one row to the chain inside `tx`; the caller's transaction decides whether it lands. */
export async function appendAudit(tx: Tx, record: AuditRecord): Promise<AuditEntry> {
  const previousHash = await lockedHead(tx);
  const row = storedRow(record, new Date());
  return tx.auditEntry.create({ data: { ...row, previousHash, hash: chainHash(previousHash, auditContent(row)) } });
}

/** The rows of `records` chained after `previousHash`, in order, each with its hash. */
function chainedRows(previousHash: string, records: readonly AuditRecord[]): (StoredRow & { previousHash: string; hash: string })[] {
  const at = new Date();
  return records.map((record) => {
    const row = storedRow(record, at);
    const hash = chainHash(previousHash, auditContent(row));
    const chained = { ...row, previousHash, hash };
    previousHash = hash;
    return chained;
  });
}

/**
 * Append several rows, in order, inside the transaction of a plain pg `client` (lib/db/sql.ts:
 * the bulk runner's per-batch writes, two or three rows a batch): the chain's lock and head as
 * appendAudit() takes them, then one INSERT for all the rows, without Prisma's per-statement
 * cost. The rows get their ids in the order given, which is the chain's order.
 */
export async function appendAudits(client: PoolClient, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [CHAIN_LOCK_KEY.toString()]);
  const head = await client.query<{ hash: string }>("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1");
  const rows = chainedRows(head.rows[0]?.hash ?? GENESIS_HASH, records);
  const params: unknown[] = [];
  const values = rows.map((row) => {
    const at = params.length;
    params.push(row.at, row.actor, row.via, row.action, row.operationId, row.broker, row.queueId, JSON.stringify(row.messageIds), row.request, row.outcome, row.clientIp, row.userAgent, row.previousHash, row.hash);
    const p = (n: number) => `$${at + n}`;
    return `(${p(1)}::timestamptz, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ARRAY(SELECT json_array_elements_text(${p(8)}::json)), ${p(9)}, ${p(10)}, ${p(11)}, ${p(12)}, ${p(13)}, ${p(14)})`;
  });
  // The ids as one JSON text: an array parameter costs the driver a conversion per element.
  // Multi-row VALUES: the id default is evaluated row by row, in this order.
  await client.query(
    `INSERT INTO audit_log (at, actor, via, action, operation_id, broker, queue_id, message_ids, request, outcome, client_ip, user_agent, previous_hash, hash) VALUES ${values.join(", ")}`,
    params,
  );
}
