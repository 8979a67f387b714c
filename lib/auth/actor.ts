import "server-only";
// Who is acting, for every route that reads or changes anything: the one function routes and
// lib/operations take the acting user from. The sign-in guard (proxy.ts, lib/auth/guard.ts) runs
// before every /api handler and sets the signed-in user on a request header only it can write
// (lib/auth/request-actor.ts); without that header (no guard in front, e.g. a script calling a
// handler directly) the actor is the local operator identity.
import { getConfig } from "@/lib/config";
import { clientIpFromHeaders } from "./client-ip";
import { actorFromHeaders, actorMay } from "./request-actor";
import type { Permission, Role } from "./roles";

/** The acting user of one request, with where the request came from (for the audit log). */
export interface Actor {
  /** Stable user id (the email once signed in) as the audit log records it. */
  readonly id: string;
  /** The user's role on the request's broker, as the guard resolved it; null when unknown. */
  readonly role: Role | null;
  /** Client IP: the socket peer, or what a trusted proxy forwarded (lib/auth/client-ip.ts); null when unknown. */
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** How they acted when not in a browser session (an API token: `token <id> (<name>)`); the audit log records it. */
  readonly via?: string;
}

/** The local operator identity used when no sign-in guard stands in front of the handler. */
export const LOCAL_OPERATOR = "local-admin";

/**
 * The client IP of a request for the audit log and the sign-in rate limit: the socket peer, or,
 * behind AUTH_TRUSTED_PROXIES, the address they forwarded. A client-sent X-Forwarded-For alone
 * changes nothing.
 */
export function clientIpOf(headers: Headers): string | null {
  return clientIpFromHeaders(headers, getConfig().auth.trustedProxies);
}

/** The acting user for a request: the guard's signed-in user, else the local operator. */
export function actorOf(request: Request): Actor {
  const guarded = actorFromHeaders(request.headers);
  return {
    id: guarded?.id ?? LOCAL_OPERATOR,
    role: guarded ? guarded.role : "admin",
    ip: clientIpOf(request.headers),
    userAgent: request.headers.get("user-agent")?.slice(0, 512) ?? null,
    ...(guarded?.via ? { via: guarded.via } : {}),
  };
}

/**
 * For handlers that span brokers (overview, hygiene, alerts): which brokers this request's user
 * may see with `permission`. Without a guard in front (a script calling the handler), every broker.
 */
export function brokerVisibility(request: Request, permission: Permission): (broker: string) => boolean {
  const guarded = actorFromHeaders(request.headers);
  if (!guarded) return () => true;
  const environments = new Map(getConfig().brokers.map((broker) => [broker.name, broker.environment ?? null]));
  return (broker) => actorMay(guarded, permission, { name: broker, environment: environments.get(broker) ?? null });
}
