// Roles, the permissions each one carries, and grants scoped to brokers and environment labels.
// Pure: no config, no I/O, so the config schema, the proxy, the UI and tests share it.

/** Roles from least to most: each one holds every permission of the ones before it. */
export const ROLES = ["viewer", "reader", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** What a request needs. Routes name one of these in the permission table (lib/auth/permissions.ts). */
export const PERMISSIONS = {
  /** Queues, depths, message metadata (ids, reasons, times, attempts); payloads only redacted (REDACT_JSON_PATHS, REDACT_HEADERS; non-JSON bodies withheld). */
  "queues.read": "viewer",
  /** Message bodies and properties in full (and what carries them: archives, operation requests, the index's previews and payload search). */
  "messages.read": "reader",
  /** The audit log and its exports (requests carry edit diffs: payload text). */
  "audit.read": "reader",
  /** Replay, edit-and-resend, bulk replay (and their previews and progress controls). */
  "messages.replay": "operator",
  /** Purge (archive first). */
  "messages.purge": "admin",
  /** Restore from the purge archive. */
  "archive.restore": "admin",
  /** Console settings. */
  settings: "admin",
  /** Verify the audit chain. */
  "audit.verify": "admin",
} as const satisfies Record<string, Role>;
export type Permission = keyof typeof PERMISSIONS;

/** One grant: a role on the brokers and environment labels it names (glob `*`). */
export interface Grant {
  readonly role: Role;
  /** Broker names (globs); ["*"] is every broker. */
  readonly brokers: readonly string[];
  /** Environment labels (globs); ["*"] is every label, and brokers without one. */
  readonly environments: readonly string[];
}

/** The broker a request acts on, as config describes it. */
export interface BrokerScope {
  readonly name: string;
  readonly environment: string | null;
}

/** True when `role` includes `required` (admin ⊇ operator ⊇ reader ⊇ viewer). */
export function roleIncludes(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i").test(value);
}

/** True when the grant covers this broker (by name and by environment label). */
export function grantCovers(grant: Grant, broker: BrokerScope): boolean {
  const environment = broker.environment ?? "";
  return (
    grant.brokers.some((pattern) => globMatches(pattern, broker.name)) &&
    grant.environments.some((pattern) => pattern === "*" || (environment !== "" && globMatches(pattern, environment)))
  );
}

/** True when the grant is unscoped: every broker, every environment. */
export function grantIsGlobal(grant: Grant): boolean {
  return grant.brokers.includes("*") && grant.environments.includes("*");
}

/** The strongest role the grants give on one broker, or null. */
export function roleOn(grants: readonly Grant[], broker: BrokerScope): Role | null {
  return strongest(grants.filter((grant) => grantCovers(grant, broker)));
}

/** The strongest role the unscoped grants give (for routes that touch no one broker), or null. */
export function globalRole(grants: readonly Grant[]): Role | null {
  return strongest(grants.filter(grantIsGlobal));
}

function strongest(grants: readonly Grant[]): Role | null {
  return grants.reduce<Role | null>((best, grant) => (best === null || roleIncludes(grant.role, best) ? grant.role : best), null);
}

/** May the grants do `permission` on `broker`? */
export function can(grants: readonly Grant[], permission: Permission, broker: BrokerScope): boolean {
  const role = roleOn(grants, broker);
  return role !== null && roleIncludes(role, PERMISSIONS[permission]);
}

/** May the grants do `permission` where no one broker is concerned (audit, settings)? */
export function canGlobally(grants: readonly Grant[], permission: Permission): boolean {
  const role = globalRole(grants);
  return role !== null && roleIncludes(role, PERMISSIONS[permission]);
}

/** May the grants do `permission` on at least one of these brokers (an overview across brokers)? */
export function canOnAny(grants: readonly Grant[], permission: Permission, brokers: readonly BrokerScope[]): boolean {
  return grants.some((grant) => roleIncludes(grant.role, PERMISSIONS[permission]) && (grantIsGlobal(grant) || brokers.some((broker) => grantCovers(grant, broker))));
}

/** A mapping from an identity provider's group (or role claim value) to a grant. */
export interface RoleMapping extends Grant {
  readonly group: string;
}

/** The grants a user's groups map to; `defaultRole` (if any) applies to everyone signed in. */
export function grantsForGroups(groups: readonly string[], mappings: readonly RoleMapping[], defaultRole: Role | null): Grant[] {
  const member = new Set(groups);
  const grants: Grant[] = mappings
    .filter((mapping) => member.has(mapping.group))
    .map(({ role, brokers, environments }) => ({ role, brokers, environments }));
  if (defaultRole) grants.push({ role: defaultRole, brokers: ["*"], environments: ["*"] });
  return grants;
}
