import "server-only";
// Who a request is signed in as, and the grants their groups map to under the current config
// (so a changed AUTH_ROLE_MAPPINGS applies at the next request, not the next sign-in).
import { getConfig, type AuthConfig } from "@/lib/config";
import { grantsForGroups, type Grant } from "./roles";
import { getAuth } from "./server";

/** A signed-in user with the grants that apply to them now. */
export interface SignedInUser {
  /** better-auth's user id. */
  readonly userId: string;
  /** The email, which the audit log records as the actor. */
  readonly email: string;
  readonly name: string;
  /** True for a local (email + password) account. */
  readonly local: boolean;
  readonly groups: readonly string[];
  readonly grants: readonly Grant[];
}

function parseGroups(stored: unknown): string[] {
  if (typeof stored !== "string") return [];
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === "string") : [];
  } catch {
    // A row written by hand: no groups rather than a failed request.
    return [];
  }
}

/** The grants of a user: local accounts are admins everywhere; OIDC users get their mapped groups. */
export function grantsOf(user: { local: boolean; groups: readonly string[] }, auth: AuthConfig): Grant[] {
  if (user.local) return auth.localAccounts ? [{ role: "admin", brokers: ["*"], environments: ["*"] }] : [];
  return grantsForGroups(user.groups, auth.roleMappings, auth.defaultRole);
}

/** The signed-in user of a request, or null (no cookie, expired, or a local account that config turned off). */
export async function signedInUser(headers: Headers): Promise<SignedInUser | null> {
  const session = await getAuth().api.getSession({ headers });
  if (!session) return null;
  const { auth } = getConfig();
  const local = session.user.local === true;
  if (local && !auth.localAccounts) return null;
  const groups = parseGroups(session.user.groups);
  return {
    userId: session.user.id,
    email: session.user.email,
    name: session.user.name,
    local,
    groups,
    grants: grantsOf({ local, groups }, auth),
  };
}
