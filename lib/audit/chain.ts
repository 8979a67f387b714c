// The audit log's hash chain (rule 7): each row stores the hash of its own content and of the
// row before it, so editing or deleting any row breaks every hash after it.
import { createHash } from "node:crypto";

/** The hash that stands before the first row. */
export const GENESIS_HASH = "0".repeat(64);

type Canonical = string | number | boolean | null | Canonical[] | { [key: string]: Canonical };

/** A value in a canonical, key-sorted form; Dates as ISO strings, bigints as strings, undefined dropped. */
export function canonicalize(value: unknown): Canonical {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`cannot hash the number ${value}`);
    return value;
  }
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, canonicalize(item)]));
  }
  throw new TypeError(`cannot hash a ${typeof value}`);
}

/** The hash of one row's content chained to the previous row's hash. */
export function chainHash(previousHash: string, content: Readonly<Record<string, unknown>>): string {
  return createHash("sha256").update(previousHash).update("\n").update(JSON.stringify(canonicalize(content))).digest("hex");
}

export interface ChainedRow {
  readonly id: bigint | number | string;
  readonly previousHash: string;
  readonly hash: string;
  /** Everything the hash covers. */
  readonly content: Readonly<Record<string, unknown>>;
}

export type ChainVerdict =
  | { readonly ok: true; readonly rows: number; readonly lastHash: string }
  | { readonly ok: false; readonly rows: number; readonly brokenAt: ChainedRow["id"]; readonly problem: string };

/** Walks rows in order and names the first one whose link or content does not match. */
export function verifyChain(rows: Iterable<ChainedRow>, startHash = GENESIS_HASH): ChainVerdict {
  let expectedPrevious = startHash;
  let count = 0;
  for (const row of rows) {
    count++;
    if (row.previousHash !== expectedPrevious) {
      return { ok: false, rows: count, brokenAt: row.id, problem: "the previous-row hash does not match: a row before it was changed or deleted" };
    }
    if (chainHash(row.previousHash, row.content) !== row.hash) {
      return { ok: false, rows: count, brokenAt: row.id, problem: "the row's content does not match its hash: the row was edited" };
    }
    expectedPrevious = row.hash;
  }
  return { ok: true, rows: count, lastHash: expectedPrevious };
}
