import "server-only";
// Streams the audit log as CSV or JSON straight from keyset pages of the database, so an export
// of any size holds one page in memory at a time. Every export is redacted whatever the role
// (REDACT_JSON_PATHS, REDACT_HEADERS in edit diffs and message snapshots), and keeps each row's
// stored hash and chain link, naming what it masked; docs/audit-export.md says how to verify one.
import type { AuditEntry } from "@prisma/client";
import { auditContent, canonicalJson } from "@/lib/audit/log";
import { chainHash, GENESIS_HASH } from "@/lib/audit/chain";
import { auditRows, type AuditFilter } from "@/lib/audit/query";
import { MASK, type Redactor } from "@/lib/auth/redaction";
import { toAuditEntryDto } from "./operations";
import { payloadViewFor } from "./redact";
import type { AuditEntryDto } from "./schemas/audit";

export type ExportFormat = "csv" | "json";

const CSV_COLUMNS = ["id", "at", "actor", "action", "operation_id", "broker", "queue_id", "message_ids", "request", "outcome", "client_ip", "user_agent", "via", "previous_hash", "hash", "redacted"] as const;

/** One audit row as an export carries it. */
export type ExportedAuditEntry = AuditEntryDto & {
  readonly via: string | null;
  /**
   * Where payload content was masked (`request.diff.body`, `request.diff.properties[0].after`):
   * empty when the row is exactly as stored, so its hash can be recomputed from the export.
   */
  readonly redacted: readonly string[];
};

/** One CSV cell: always quoted; a leading = + - @ is defused so spreadsheets do not run it as a formula. */
export function csvCell(value: string | null): string {
  const text = value ?? "";
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Mask payload content anywhere in a stored request/outcome: edit diffs (unified diff text),
 * embedded JSON documents (strings that parse as an object or array), property changes and
 * property maps named by REDACT_HEADERS, and REDACT_JSON_PATHS key names at any depth.
 * `masked` collects the path of every value that changed.
 */
function maskStored(value: Json, path: string, redactor: Redactor, masked: string[]): Json {
  const changed = (next: Json): Json => {
    if (canonicalJson(next) !== canonicalJson(value)) masked.push(path);
    return next;
  };
  if (typeof value === "string") {
    if (/^@@ -\d/m.test(value)) return changed(redactor.diffText(value));
    if (/^\s*[{[]/.test(value)) {
      // An embedded document (a message snapshot): masked by path like a payload.
      const text = redactor.jsonText(value);
      if (text !== null && text !== JSON.stringify(JSON.parse(value))) return changed(text);
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => maskStored(item, `${path}[${index}]`, redactor, masked));
  if (value === null || typeof value !== "object") return value;
  // A property change as edit diffs record it: { name, before, after }.
  if (typeof value.name === "string" && redactor.isRedactedHeader(value.name) && ("before" in value || "after" in value)) {
    const next: Record<string, Json> = { ...value };
    for (const side of ["before", "after"] as const) {
      if (side in next) {
        next[side] = MASK;
        masked.push(`${path}.${side}`);
      }
    }
    return next;
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => {
      if (redactor.isRedactedHeader(key) && child !== null) {
        masked.push(`${path}.${key}`);
        return [key, MASK];
      }
      return [key, maskStored(child, `${path}.${key}`, redactor, masked)];
    }),
  );
}

/** The export form of one row: payload content masked, the stored hash and previous hash kept. */
export function toExportedEntry(entry: AuditEntry, redactor: Redactor): ExportedAuditEntry {
  const dto = toAuditEntryDto(entry);
  const masked: string[] = [];
  // REDACT_JSON_PATHS key names anywhere (`$..email`), then what maskStored knows to look into.
  const request = maskStored(redactor.json(dto.request) as Json, "request", redactor, masked);
  const outcome = maskStored(redactor.json(dto.outcome) as Json, "outcome", redactor, masked);
  if (canonicalJson(redactor.json(dto.request)) !== canonicalJson(dto.request)) masked.unshift("request");
  if (canonicalJson(redactor.json(dto.outcome)) !== canonicalJson(dto.outcome)) masked.unshift("outcome");
  return { ...dto, via: entry.via ?? null, request, outcome, redacted: [...new Set(masked)] };
}

function csvLine(entry: ExportedAuditEntry): string {
  const cells = [
    entry.id,
    entry.at,
    entry.actor,
    entry.action,
    entry.operationId,
    entry.broker,
    entry.queueId,
    entry.messageIds.join(" "),
    canonicalJson(entry.request),
    canonicalJson(entry.outcome),
    entry.clientIp,
    entry.userAgent,
    entry.via,
    entry.previousHash,
    entry.hash,
    entry.redacted.join(" "),
  ];
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** The matching rows, oldest first, redacted, as a byte stream in the format; pulls a page only when read. */
export function auditExportStream(filter: AuditFilter, format: ExportFormat, pageSize = 500, redactor: Redactor = exportRedactor()): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const rows = auditRows(filter, pageSize);
  let first = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(format === "csv" ? `${CSV_COLUMNS.join(",")}\r\n` : "[\n"));
    },
    async pull(controller) {
      const next = await rows.next();
      if (next.done) {
        if (format === "json") controller.enqueue(encoder.encode(first ? "]\n" : "\n]\n"));
        controller.close();
        return;
      }
      const entry = toExportedEntry(next.value, redactor);
      const text = format === "csv" ? csvLine(entry) : `${first ? "" : ",\n"}${JSON.stringify(entry)}`;
      first = false;
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
}

function exportRedactor(): Redactor {
  const view = payloadViewFor(null, { forExport: true });
  if (view.full) throw new Error("an export is always redacted");
  return view.redactor;
}

/** What an offline check of a JSON export found. */
export interface ExportVerdict {
  readonly ok: boolean;
  readonly entries: number;
  /** Rows whose hash was recomputed from the export and matched. */
  readonly hashesChecked: number;
  /** Rows with masked content: their hash is as stored, vouched for by the next row's link (and checkable against the database). */
  readonly redacted: number;
  /** Consecutive rows whose previous hash is the row before's hash. */
  readonly linksChecked: number;
  readonly problems: readonly string[];
}

/**
 * Check a JSON export offline: every unredacted row's hash recomputed from its content, and every
 * link between consecutive rows. `complete`: the export is the whole log (no filter), so the
 * first row must follow the genesis hash and no link may be missing; a filtered export skips rows,
 * so a missing link there is counted, not a problem.
 */
export function verifyExport(entries: readonly ExportedAuditEntry[], options: { complete: boolean }): ExportVerdict {
  const problems: string[] = [];
  let hashesChecked = 0;
  let linksChecked = 0;
  let redacted = 0;
  entries.forEach((entry, index) => {
    const before = index === 0 ? (options.complete ? GENESIS_HASH : null) : entries[index - 1]!.hash;
    if (before !== null) {
      if (entry.previousHash === before) linksChecked++;
      else if (options.complete) problems.push(`row ${entry.id}: its previous hash is not the hash of the row before it`);
    }
    if (entry.redacted.length > 0) {
      redacted++;
      return;
    }
    const content = auditContent({
      at: new Date(entry.at),
      actor: entry.actor,
      via: entry.via,
      action: entry.action,
      operationId: entry.operationId,
      broker: entry.broker,
      queueId: entry.queueId,
      messageIds: [...entry.messageIds],
      request: canonicalJson(entry.request),
      outcome: canonicalJson(entry.outcome),
      clientIp: entry.clientIp,
      userAgent: entry.userAgent,
    });
    if (chainHash(entry.previousHash, content) === entry.hash) hashesChecked++;
    else problems.push(`row ${entry.id}: its content does not match its hash`);
  });
  return { ok: problems.length === 0, entries: entries.length, hashesChecked, redacted, linksChecked, problems };
}
