// The signed-in user as the route guard (proxy.ts) hands it to route handlers: one request header
// the guard always overwrites, so a client can never supply it. lib/auth/actor.ts reads it.
import { ApiError } from "@/lib/api/api-error";
import { PERMISSIONS, roleOn, type BrokerScope, type Grant, type Permission, type Role, roleIncludes } from "./roles";

/** The request header the guard sets on every request it lets through. */
export const ACTOR_HEADER = "x-console-actor";

/** Who is acting, as the guard resolved it for this request's broker (or globally). */
export interface GuardedActor {
  /** The email: what the audit log records. */
  readonly id: string;
  /** The role on this request's broker (or the global role for broker-less routes); null on public routes. */
  readonly role: Role | null;
  /** Every grant of the user, for handlers that span brokers (filter the overview, redact per broker). */
  readonly grants: readonly Grant[];
  /** Set when the request came with an API token: `token <id> (<name>)`, recorded next to the actor in the audit log. */
  readonly via?: string;
}

/** The header value for an actor (URI-encoded JSON: headers are ASCII). */
export function encodeActor(actor: Omit<GuardedActor, "grants"> & { readonly grants?: readonly Grant[] }): string {
  return encodeURIComponent(JSON.stringify(actor));
}

/** The actor the guard set on these headers, or null when there is none (or it is malformed). */
export function actorFromHeaders(headers: Headers): GuardedActor | null {
  const raw = headers.get(ACTOR_HEADER);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(decodeURIComponent(raw)) as Partial<GuardedActor>;
    if (typeof parsed.id !== "string" || !parsed.id) return null;
    return {
      id: parsed.id,
      role: (parsed.role ?? null) as Role | null,
      grants: Array.isArray(parsed.grants) ? parsed.grants : [],
      ...(typeof parsed.via === "string" && parsed.via ? { via: parsed.via } : {}),
    };
  } catch {
    return null; // not set by the guard: treat as absent
  }
}

/** The guard's actor, or ApiError("unauthenticated") when the request did not pass the guard. */
export function requireActor(headers: Headers): GuardedActor {
  const actor = actorFromHeaders(headers);
  if (!actor) throw new ApiError("unauthenticated", "sign in first");
  return actor;
}

/** May this actor do `permission` on this broker? For handlers that list or redact per broker. */
export function actorMay(actor: GuardedActor, permission: Permission, broker: BrokerScope): boolean {
  const role = roleOn(actor.grants, broker);
  return role !== null && roleIncludes(role, PERMISSIONS[permission]);
}
