import "server-only";
// The server-side guard of every /api/** request (called from proxy.ts before any handler):
// the route must be in the permission table, a mutation must come from a trusted Origin, a
// session is required except on public routes, and the session's grants must give the route's
// permission on the route's broker. A request with `Authorization: Bearer <API token>` is a
// script's: the token stands in for the session (lib/auth/tokens.ts) and no Origin is needed, but
// the role check is the same. Every 401/403 is written to the audit log.
import { NextResponse, type NextRequest } from "next/server";
import type { ApiErrorCode } from "@/lib/api/api-error";
import { getConfig } from "@/lib/config";
import { db } from "@/lib/db/client";
import { clientIpOf } from "./actor";
import { AUTH_ACTIONS, auditAuthEvent } from "./audit";
import { matchRoute, type RouteMatch } from "./permissions";
import { ACTOR_HEADER, encodeActor } from "./request-actor";
import { can, canGlobally, canOnAny, globalRole, roleOn, type BrokerScope, type Grant, type Role } from "./roles";
import { signedInUser } from "./session";
import { resolveApiToken } from "./tokens";
import { bearerToken } from "./tokens-scope";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function refusal(status: 401 | 403 | 404, code: ApiErrorCode, message: string): NextResponse {
  return NextResponse.json({ error: { code, message, details: null } }, { status, headers: { "Cache-Control": "no-store" } });
}

/** True when a mutation's Origin is one of the console's own (CSRF). Browsers always send Origin on non-GET fetches. */
export function originAllowed(headers: Headers, trustedOrigins: readonly string[]): boolean {
  const origin = headers.get("origin");
  return origin !== null && trustedOrigins.includes(origin);
}

function brokerScope(name: string): BrokerScope {
  const broker = getConfig().brokers.find((candidate) => candidate.name === name);
  return { name, environment: broker?.environment ?? null };
}

async function brokerNameOf(request: NextRequest, match: RouteMatch): Promise<string | null> {
  const source = match.rule.broker;
  if (source.from === "path") return match.params[source.param] ?? null;
  if (source.from === "query") return request.nextUrl.searchParams.get(source.param);
  if (source.from === "operation") {
    const id = match.params[source.param];
    const operation = id ? await db().operation.findUnique({ where: { id }, select: { broker: true } }) : null;
    return operation?.broker ?? null;
  }
  if (source.from === "job") {
    const id = match.params[source.param];
    const job = id ? await db().bulkJob.findUnique({ where: { id }, select: { broker: true } }) : null;
    return job?.broker ?? null;
  }
  if (source.from === "body") {
    const body: unknown = await request
      .clone()
      .json()
      .catch(() => null); // not JSON: the handler's validation answers 400; here no broker
    const value = body && typeof body === "object" ? (body as Record<string, unknown>)[source.field] : undefined;
    return typeof value === "string" ? value : null;
  }
  return null;
}

interface Decision {
  readonly allowed: boolean;
  readonly role: Role | null;
  readonly broker: string | null;
}

async function decide(request: NextRequest, match: RouteMatch, grants: readonly Grant[]): Promise<Decision> {
  const { permission, broker: source } = match.rule;
  if (permission === "public") return { allowed: true, role: null, broker: null };
  if (permission === "signed-in") return { allowed: true, role: globalRole(grants), broker: null };
  if (source.from === "any") {
    const brokers = getConfig().brokers.map((broker) => brokerScope(broker.name));
    return { allowed: canOnAny(grants, permission, brokers), role: globalRole(grants), broker: null };
  }
  if (source.from === "none") return { allowed: canGlobally(grants, permission), role: globalRole(grants), broker: null };
  const name = await brokerNameOf(request, match);
  // A broker-scoped route without a broker (bad body, unknown operation) needs the permission everywhere.
  if (name === null) return { allowed: canGlobally(grants, permission), role: globalRole(grants), broker: null };
  const scope = brokerScope(name);
  return { allowed: can(grants, permission, scope), role: roleOn(grants, scope), broker: name };
}

function clientIp(headers: Headers): string | null {
  return clientIpOf(headers);
}

async function auditRefusal(request: NextRequest, actor: string, status: number, reason: string, broker: string | null, match: RouteMatch | null, via?: string) {
  await auditAuthEvent({
    actor,
    via,
    action: AUTH_ACTIONS.refused,
    broker,
    queueId: match?.params.queue ?? null,
    messageIds: match?.params.id ? [match.params.id] : [],
    request: { method: request.method, path: request.nextUrl.pathname },
    outcome: { status, reason, permission: match?.rule.permission ?? null },
    clientIp: clientIp(request.headers),
    userAgent: request.headers.get("user-agent")?.slice(0, 512) ?? null,
  });
}

/** Let an /api/** request through (with the actor header set) or answer 401/403/404 for it. */
export async function guardApiRequest(request: NextRequest, pathname = request.nextUrl.pathname): Promise<NextResponse> {
  const match = matchRoute(request.method, pathname);
  if (!match && request.method !== "OPTIONS") return refusal(404, "not-found", `no API route ${request.method} ${pathname}`);

  const headers = new Headers(request.headers);
  headers.delete(ACTOR_HEADER);

  const token = match && match.rule.permission !== "public" ? bearerToken(request.headers) : null;
  if (match && token !== null) return guardTokenRequest(request, match, token, headers);

  if (!SAFE_METHODS.has(request.method.toUpperCase()) && !originAllowed(request.headers, getConfig().auth.trustedOrigins)) {
    await auditRefusal(request, "anonymous", 403, "origin", null, match);
    return refusal(403, "forbidden", "cross-origin request refused: the Origin header must be the console's own");
  }
  if (!match) return NextResponse.next({ request: { headers } }); // OPTIONS on an unknown path: Next answers it
  if (match.rule.permission === "public") return NextResponse.next({ request: { headers } });

  const user = await signedInUser(request.headers);
  if (!user) {
    await auditRefusal(request, "anonymous", 401, "no session", null, match);
    return refusal(401, "unauthenticated", "sign in first");
  }
  const decision = await decide(request, match, user.grants);
  if (!decision.allowed) {
    await auditRefusal(request, user.email, 403, "role", decision.broker, match);
    return refusal(403, "forbidden", `your role does not allow ${match.rule.permission}${decision.broker ? ` on ${decision.broker}` : ""}`);
  }
  headers.set(ACTOR_HEADER, encodeActor({ id: user.email, role: decision.role, grants: user.grants }));
  return NextResponse.next({ request: { headers } });
}

/**
 * A request with a bearer token: the token's identity instead of a session. No Origin check: a
 * token is not sent by the browser on its own as a cookie is, and a cross-site page cannot add an
 * Authorization header without a CORS preflight the console never answers, so there is no CSRF.
 */
async function guardTokenRequest(request: NextRequest, match: RouteMatch, token: string, headers: Headers): Promise<NextResponse> {
  const resolved = await resolveApiToken(token);
  if (!resolved.ok) {
    await auditRefusal(request, resolved.actor, 401, resolved.reason, null, match, resolved.via);
    return refusal(401, "unauthenticated", `API token refused: ${resolved.reason}`);
  }
  const { identity } = resolved;
  const decision = await decide(request, match, identity.grants);
  if (!decision.allowed) {
    await auditRefusal(request, identity.id, 403, "role", decision.broker, match, identity.via);
    return refusal(403, "forbidden", `the token's role does not allow ${match.rule.permission}${decision.broker ? ` on ${decision.broker}` : ""}`);
  }
  // The token alone says who acts: a session cookie sent along plays no part.
  headers.delete("cookie");
  headers.set(ACTOR_HEADER, encodeActor({ id: identity.id, role: decision.role, grants: identity.grants, via: identity.via }));
  return NextResponse.next({ request: { headers } });
}
