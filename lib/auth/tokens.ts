import "server-only";
// API tokens: bearer credentials for scripts (a deploy pipeline replaying after a fix) that act as
// their owner with the same roles, rules and audit as the UI. A signed-in user creates one for
// themselves, an admin one for a service account; its role and scope are never above the
// creator's, and at every use it is cut down to the owner's current grants. Only a SHA-256 of the
// secret is stored. Creating, revoking and refusals are audited (rule 7).
import type { ApiToken } from "@prisma/client";
import { ApiError } from "@/lib/api/api-error";
import type { TokenCreateInput, TokenCreatedDto, TokenDto } from "@/lib/api/schemas/tokens";
import { appendAudit } from "@/lib/audit/log";
import { getConfig } from "@/lib/config";
import { db } from "@/lib/db/client";
import { actorOf } from "./actor";
import { requireActor } from "./request-actor";
import { canGlobally, type Grant, type Role } from "./roles";
import { grantsOf } from "./session";
import { generateToken, hashToken, intersectGrants, scopeWithin, tokenId, tokenMatches } from "./tokens-scope";

/** Audit actions of token management (refused uses are the guard's `auth.refused`). */
export const TOKEN_ACTIONS = {
  create: "token.create",
  createRefused: "token.create.refused",
  revoke: "token.revoke",
  revokeRefused: "token.revoke.refused",
} as const;

/** Who manages tokens: the guard's actor of the request (with its grants) and where it came from. */
export interface TokenCaller {
  readonly id: string;
  readonly grants: readonly Grant[];
  /** Set when the request itself came with a token: tokens cannot manage tokens. */
  readonly via?: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** The caller of a token route: the guard's actor (401 without one: tokens belong to signed-in users). */
export function tokenCaller(request: Request): TokenCaller {
  const { grants } = requireActor(request.headers);
  const { id, via, ip, userAgent } = actorOf(request);
  return { id, grants, via, ip, userAgent };
}

/** What the audit log records next to a token's owner: `token <id> (<name>)`. */
export function viaToken(row: Pick<ApiToken, "id" | "name">): string {
  return `token ${row.id} (${row.name})`;
}

/** The actor id of a service account's tokens. */
export const serviceActor = (name: string) => `service:${name}`;

const isAdmin = (caller: TokenCaller) => canGlobally(caller.grants, "settings");

function toDto(row: ApiToken, now = new Date()): TokenDto {
  const status = row.revokedAt ? "revoked" : row.expiresAt <= now ? "expired" : "active";
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    owner: row.owner,
    kind: row.ownerUserId === null ? "service" : "user",
    createdBy: row.createdBy,
    role: row.role as Role,
    brokers: row.brokers,
    environments: row.environments,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revokedBy: row.revokedBy,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    status,
  };
}

/** Audit a refused token change in its own transaction, then throw it. */
async function refuse(caller: TokenCaller, action: string, request: unknown, error: ApiError): Promise<never> {
  await db().$transaction((tx) =>
    appendAudit(tx, { actor: caller.id, via: caller.via, action, request, outcome: { refused: error.code, message: error.message }, clientIp: caller.ip, userAgent: caller.userAgent }),
  );
  throw error;
}

/** Create a token; the secret is in the answer and nowhere else, ever. */
export async function createApiToken(caller: TokenCaller, input: TokenCreateInput, now = new Date()): Promise<TokenCreatedDto> {
  const scope: Grant = { role: input.role, brokers: input.brokers, environments: input.environments };
  const expiresAt = new Date(now.getTime() + input.expiresInDays * 86_400_000);
  const owner = input.serviceAccount ? serviceActor(input.serviceAccount) : caller.id;
  const recorded = { name: input.name, owner, ...scope, expiresAt };
  if (caller.via) await refuse(caller, TOKEN_ACTIONS.createRefused, recorded, new ApiError("forbidden", "an API token cannot create tokens: sign in to the console to create one"));
  if (input.serviceAccount && !isAdmin(caller)) await refuse(caller, TOKEN_ACTIONS.createRefused, recorded, new ApiError("forbidden", "only an admin (on every broker) may create a service account's token"));
  if (!scopeWithin(scope, caller.grants)) {
    await refuse(caller, TOKEN_ACTIONS.createRefused, recorded, new ApiError("forbidden", `a token cannot have more than your own role: you are not ${input.role} on all of brokers [${input.brokers.join(", ")}] × environments [${input.environments.join(", ")}]`));
  }
  const user = input.serviceAccount ? null : await db().authUser.findUnique({ where: { email: caller.id }, select: { id: true } });
  if (!input.serviceAccount && !user) await refuse(caller, TOKEN_ACTIONS.createRefused, recorded, new ApiError("forbidden", "only a signed-in user can own a token"));

  const { id, token } = generateToken();
  const row = await db().$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: { id, name: input.name, description: input.description || null, owner, ownerUserId: user?.id ?? null, createdBy: caller.id, ...scope, brokers: [...scope.brokers], environments: [...scope.environments], secretHash: hashToken(token), createdAt: now, expiresAt },
    });
    await appendAudit(tx, { actor: caller.id, action: TOKEN_ACTIONS.create, request: recorded, outcome: { id }, clientIp: caller.ip, userAgent: caller.userAgent });
    return created;
  });
  return { token: toDto(row, now), secret: token };
}

/** The caller's own tokens, newest first; an admin sees everyone's. */
export async function listApiTokens(caller: TokenCaller): Promise<TokenDto[]> {
  const rows = await db().apiToken.findMany({ where: isAdmin(caller) ? {} : { owner: caller.id }, orderBy: { createdAt: "desc" }, take: 500 });
  const now = new Date();
  return rows.map((row) => toDto(row, now));
}

/** Revoke a token (its owner or an admin); revoking a revoked token changes nothing. */
export async function revokeApiToken(caller: TokenCaller, id: string): Promise<TokenDto> {
  const row = await db().apiToken.findUnique({ where: { id } });
  // Someone else's token is as unknown as a missing one: ids are not for probing.
  if (!row || (row.owner !== caller.id && !isAdmin(caller))) await refuse(caller, TOKEN_ACTIONS.revokeRefused, { id }, new ApiError("not-found", `no API token ${id}`));
  if (caller.via) await refuse(caller, TOKEN_ACTIONS.revokeRefused, { id }, new ApiError("forbidden", "an API token cannot revoke tokens: sign in to the console to revoke one"));
  const found = row!;
  if (found.revokedAt) return toDto(found);
  return db().$transaction(async (tx) => {
    const revoked = await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date(), revokedBy: caller.id } });
    await appendAudit(tx, { actor: caller.id, action: TOKEN_ACTIONS.revoke, request: { id, name: found.name, owner: found.owner }, outcome: { revoked: true }, clientIp: caller.ip, userAgent: caller.userAgent });
    return toDto(revoked);
  });
}

/** Who a token acts as, for the route guard. */
export interface TokenIdentity {
  /** The owner as the audit log records the actor. */
  readonly id: string;
  /** `token <id> (<name>)`. */
  readonly via: string;
  /** The token's grant, cut down to the owner's current grants. */
  readonly grants: readonly Grant[];
}

export type TokenResolution =
  | { readonly ok: true; readonly identity: TokenIdentity }
  /** `actor`/`via` are the owner and token when the token was genuine (revoked, expired), for the refusal's audit row. */
  | { readonly ok: false; readonly reason: string; readonly actor: string; readonly via?: string };

/** lastUsedAt is written at most this often per token, not on every request. */
const LAST_USED_PRECISION_MS = 60_000;

/** Resolve a presented bearer token to the identity it acts as, or say why it is refused. */
export async function resolveApiToken(token: string, now = new Date()): Promise<TokenResolution> {
  const id = tokenId(token);
  const row = id ? await db().apiToken.findUnique({ where: { id } }) : null;
  if (!row || !tokenMatches(token, row.secretHash)) return { ok: false, reason: "invalid token", actor: "anonymous" };
  const refused = (reason: string) => ({ ok: false, reason, actor: row.owner, via: viaToken(row) }) as const;
  if (row.revokedAt) return refused("token revoked");
  if (row.expiresAt <= now) return refused("token expired");

  const scope: Grant = { role: row.role as Role, brokers: row.brokers, environments: row.environments };
  let grants: readonly Grant[] = [scope];
  if (row.ownerUserId !== null) {
    const owner = await db().authUser.findUnique({ where: { id: row.ownerUserId }, select: { local: true, groups: true } });
    if (!owner) return refused("token owner no longer exists");
    const { auth } = getConfig();
    if (owner.local && !auth.localAccounts) return refused("token owner's local account is turned off");
    grants = intersectGrants(scope, grantsOf({ local: owner.local, groups: parseGroups(owner.groups) }, auth));
  }
  await db().apiToken.updateMany({
    where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_PRECISION_MS) } }] },
    data: { lastUsedAt: now },
  });
  return { ok: true, identity: { id: row.owner, via: viaToken(row), grants } };
}

function parseGroups(stored: string): string[] {
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === "string") : [];
  } catch {
    return []; // a row written by hand: no groups, so no grants from groups
  }
}
