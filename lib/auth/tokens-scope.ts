// API tokens without I/O: the token format (`dlq_<id>_<secret>`, only a SHA-256 kept), and the
// scope rules on the grant model of roles.ts: a token's grant may not exceed its creator's grants
// (checked at creation), and at every use it is intersected with its owner's current grants.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { grantCovers, ROLES, roleIncludes, type Grant, type Role } from "./roles";

/** What every token starts with, so secret scanners and people recognise one. */
export const TOKEN_PREFIX = "dlq_";
const TOKEN_PATTERN = /^dlq_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A new token: its public id (the row's key) and the full secret string shown once. */
export function generateToken(): { readonly id: string; readonly token: string } {
  const id = randomBytes(8).toString("hex");
  return { id, token: `${TOKEN_PREFIX}${id}_${randomBytes(32).toString("base64url")}` };
}

/** The id part of a well-formed token, or null. */
export function tokenId(token: string): string | null {
  return TOKEN_PATTERN.exec(token)?.[1] ?? null;
}

/** SHA-256 (hex) of a token: what the database keeps instead of it. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** True when the token hashes to the stored hash; compared in constant time. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashToken(token), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** The bearer credential of `Authorization: Bearer <token>`, or null when the header is absent or another scheme. */
export function bearerToken(headers: Headers): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  return match ? match[1]! : null;
}

/** Does the glob `pattern` match `value`? (roles.ts's own glob rule, case-insensitive.) */
function globMatches(pattern: string, value: string): boolean {
  return grantCovers({ role: "viewer", brokers: [pattern], environments: ["*"] }, { name: value, environment: null });
}

const isLiteral = (pattern: string) => !pattern.includes("*");

/** True when everything `inner` matches, `outer` matches too (decided exactly for `*` and literals). */
function patternContains(outer: string, inner: string): boolean {
  if (outer === "*" || outer.toLowerCase() === inner.toLowerCase()) return true;
  return isLiteral(inner) && globMatches(outer, inner);
}

/**
 * One pattern matching only what both match, or null. Two different globs overlap in ways one
 * glob cannot say; that overlap is left out, so an intersection is never more than either side.
 */
function intersectPattern(a: string, b: string): string | null {
  if (a === "*") return b;
  if (b === "*") return a;
  if (patternContains(a, b)) return b;
  if (patternContains(b, a)) return a;
  return null;
}

function intersectPatterns(a: readonly string[], b: readonly string[]): string[] {
  const both = new Set<string>();
  for (const left of a) for (const right of b) {
    const common = intersectPattern(left, right);
    if (common !== null) both.add(common);
  }
  return [...both];
}

const weaker = (a: Role, b: Role): Role => (ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b);

/**
 * The grants a token acts with: its own grant cut down by each of the owner's grants. On any broker
 * the resulting role is the lower of the token's role and the owner's role there.
 */
export function intersectGrants(token: Grant, owner: readonly Grant[]): Grant[] {
  return owner.flatMap((grant) => {
    const brokers = intersectPatterns(token.brokers, grant.brokers);
    const environments = intersectPatterns(token.environments, grant.environments);
    return brokers.length && environments.length ? [{ role: weaker(token.role, grant.role), brokers, environments }] : [];
  });
}

/**
 * True when the grants give at least the token's role on all of the token's scope: every broker
 * pattern × environment pattern of the token lies inside one grant with that role or more.
 */
export function scopeWithin(token: Grant, grants: readonly Grant[]): boolean {
  return token.brokers.every((broker) =>
    token.environments.every((environment) =>
      grants.some(
        (grant) =>
          roleIncludes(grant.role, token.role) &&
          grant.brokers.some((pattern) => patternContains(pattern, broker)) &&
          grant.environments.some((pattern) => patternContains(pattern, environment)),
      ),
    ),
  );
}
