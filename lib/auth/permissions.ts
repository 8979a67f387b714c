// The route-permission table: every API route (method + path pattern) with the permission it
// needs and where its broker comes from. proxy.ts checks it for every /api/** request before any
// handler runs; permissions.meta.test.ts fails when a route file or method is missing here.
// Pure (no config, no I/O): the proxy, the meta-test and the e2e role matrix all read it.
import type { Permission } from "./roles";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Where the broker a request acts on is named, so the grant's broker/environment scope applies. */
export type BrokerSource =
  /** A path parameter (`:broker`). */
  | { readonly from: "path"; readonly param: string }
  /** A query parameter. */
  | { readonly from: "query"; readonly param: string }
  /** The broker of the stored operation whose id is this path parameter (unknown ids: unscoped grants only). */
  | { readonly from: "operation"; readonly param: string }
  /** The broker of the stored bulk replay job whose id is this path parameter (unknown ids: unscoped grants only). */
  | { readonly from: "job"; readonly param: string }
  /** A top-level field of the JSON body. */
  | { readonly from: "body"; readonly field: string }
  /** Across brokers (an overview): the permission on at least one broker; the handler filters. */
  | { readonly from: "any" }
  /** No broker: the permission must come from an unscoped grant (every broker, every environment). */
  | { readonly from: "none" };

export interface RouteRule {
  readonly method: HttpMethod;
  /** `/api/...` with `:param` for one segment and `*rest` for the remainder, as the file path says. */
  readonly pattern: string;
  /** What the request needs; "public" routes need no session (sign-in itself), "signed-in" any session. */
  readonly permission: Permission | "public" | "signed-in";
  readonly broker: BrokerSource;
}

const BROKER_PARAM: BrokerSource = { from: "path", param: "broker" };
const QUEUE = "/api/v1/brokers/:broker/queues/:queue";
const MESSAGES = `${QUEUE}/messages`;

/** Every API route. Keep in the order of app/api's folders. */
export const ROUTE_PERMISSIONS: readonly RouteRule[] = [
  // better-auth's own endpoints (sign-in, callback, session, sign-out): they check their own
  // session and Origin; the guard still rate limits nothing here, better-auth does.
  { method: "GET", pattern: "/api/auth/*all", permission: "public", broker: { from: "none" } },
  { method: "POST", pattern: "/api/auth/*all", permission: "public", broker: { from: "none" } },

  // Prometheus scrapes with a bearer token (METRICS_TOKEN), not a session: the handler checks it.
  { method: "GET", pattern: "/api/metrics", permission: "public", broker: { from: "none" } },

  // Alerts span brokers (rules carry broker globs): reading is metadata, changing rules a setting.
  { method: "GET", pattern: "/api/v1/alerts", permission: "queues.read", broker: { from: "any" } },
  { method: "POST", pattern: "/api/v1/alerts/rules", permission: "settings", broker: { from: "none" } },
  { method: "DELETE", pattern: "/api/v1/alerts/rules/:id", permission: "settings", broker: { from: "none" } },

  // The audit log spans every broker: unscoped grants only.
  { method: "GET", pattern: "/api/v1/audit", permission: "audit.read", broker: { from: "none" } },
  { method: "GET", pattern: "/api/v1/audit/export", permission: "audit.read", broker: { from: "none" } },
  { method: "GET", pattern: "/api/v1/audit/verify", permission: "audit.verify", broker: { from: "none" } },

  // What operations on a broker require (environment label, reason, limits): metadata.
  { method: "GET", pattern: "/api/v1/brokers/:broker/policy", permission: "queues.read", broker: BROKER_PARAM },
  // The purge archive holds payloads; restoring is admin work.
  { method: "GET", pattern: `${QUEUE}/archives`, permission: "messages.read", broker: BROKER_PARAM },
  { method: "POST", pattern: `${QUEUE}/archives/restore`, permission: "archive.restore", broker: BROKER_PARAM },
  // The message index is metadata for viewers (the handler drops payload previews below reader),
  // though its text search matches payloads; a refresh reads every payload (and has the same
  // receive-count side effects as browsing), so it is a reader's.
  { method: "GET", pattern: `${QUEUE}/depth`, permission: "queues.read", broker: BROKER_PARAM },
  { method: "GET", pattern: `${QUEUE}/index`, permission: "queues.read", broker: BROKER_PARAM },
  { method: "POST", pattern: `${QUEUE}/index/refresh`, permission: "messages.read", broker: BROKER_PARAM },
  // Messages and their payloads: viewers see them redacted (lib/api/serialize-message.ts): JSON
  // bodies and previews with REDACT_JSON_PATHS masked, any other body withheld, REDACT_HEADERS
  // properties masked. Readers and above see them in full. Opening one is audited either way.
  { method: "GET", pattern: MESSAGES, permission: "queues.read", broker: BROKER_PARAM },
  { method: "GET", pattern: `${MESSAGES}/:id`, permission: "queues.read", broker: BROKER_PARAM },
  { method: "POST", pattern: `${MESSAGES}/:id/resend`, permission: "messages.replay", broker: BROKER_PARAM },
  // Replay, its dry run, and purge.
  { method: "POST", pattern: `${QUEUE}/preview`, permission: "messages.replay", broker: BROKER_PARAM },
  { method: "POST", pattern: `${QUEUE}/purge`, permission: "messages.purge", broker: BROKER_PARAM },
  { method: "POST", pattern: `${QUEUE}/replay`, permission: "messages.replay", broker: BROKER_PARAM },
  // Bulk replay: the plan (dry run) and its start.
  { method: "POST", pattern: `${QUEUE}/bulk-replays`, permission: "messages.replay", broker: BROKER_PARAM },
  { method: "POST", pattern: `${QUEUE}/bulk-replays/:id/start`, permission: "messages.replay", broker: BROKER_PARAM },

  // Bulk replay jobs: progress and failures (ids and errors, no payloads) for viewers, a filter's
  // search text masked below reader (lib/api/redact.ts); controls for operators.
  { method: "GET", pattern: "/api/v1/jobs", permission: "queues.read", broker: { from: "any" } },
  { method: "GET", pattern: "/api/v1/jobs/:id", permission: "queues.read", broker: { from: "job", param: "id" } },
  { method: "POST", pattern: "/api/v1/jobs/:id/cancel", permission: "messages.replay", broker: { from: "job", param: "id" } },
  { method: "POST", pattern: "/api/v1/jobs/:id/pause", permission: "messages.replay", broker: { from: "job", param: "id" } },
  { method: "POST", pattern: "/api/v1/jobs/:id/rate", permission: "messages.replay", broker: { from: "job", param: "id" } },
  { method: "POST", pattern: "/api/v1/jobs/:id/resume", permission: "messages.replay", broker: { from: "job", param: "id" } },

  // One operation's progress: status and per-message outcomes (the request, with an edit's diff,
  // is only in the audit log); readers of its broker, like the messages it names.
  { method: "GET", pattern: "/api/v1/operations/:id", permission: "messages.read", broker: { from: "operation", param: "id" } },

  // Hygiene: findings on every broker's queue configuration (metadata); muting one is a setting of
  // the finding's broker, named in the body.
  { method: "GET", pattern: "/api/v1/hygiene", permission: "queues.read", broker: { from: "any" } },
  { method: "POST", pattern: "/api/v1/hygiene/mutes", permission: "settings", broker: { from: "body", field: "broker" } },
  { method: "DELETE", pattern: "/api/v1/hygiene/mutes", permission: "settings", broker: { from: "body", field: "broker" } },

  // The caller's own roles and permissions per broker (the UI hides what they cannot do).
  { method: "GET", pattern: "/api/v1/me", permission: "signed-in", broker: { from: "none" } },

  // The OpenAPI document: public. It describes routes and schemas (the console's source, not its
  // data) and names no broker, queue or user; tools fetch it without credentials, and every route
  // it describes still needs them.
  { method: "GET", pattern: "/api/v1/openapi.json", permission: "public", broker: { from: "none" } },

  // Overview across brokers (the handler should list only brokers the caller may view).
  { method: "GET", pattern: "/api/v1/queues", permission: "queues.read", broker: { from: "any" } },

  // API tokens: any signed-in user manages their own (an admin everyone's); the handler checks
  // ownership, that a token's role is not above the creator's, and refuses token-made changes.
  { method: "GET", pattern: "/api/v1/tokens", permission: "signed-in", broker: { from: "none" } },
  { method: "POST", pattern: "/api/v1/tokens", permission: "signed-in", broker: { from: "none" } },
  { method: "DELETE", pattern: "/api/v1/tokens/:id", permission: "signed-in", broker: { from: "none" } },
];

/**
 * Paths next.config.ts rewrites into /api. The proxy runs before rewrites, so it guards these by
 * the rule of their destination; keep this in step with next.config.ts `rewrites`.
 */
export const API_REWRITES: Readonly<Record<string, string>> = { "/metrics": "/api/metrics" };

/** A pattern's segments compiled once. */
function compile(pattern: string): RegExp {
  const source = pattern
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) return `(?<${segment.slice(1)}>[^/]+)`;
      if (segment.startsWith("*")) return `(?<${segment.slice(1)}>.+)`;
      return segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${source}/?$`);
}

const compiled = ROUTE_PERMISSIONS.map((rule) => ({ rule, regex: compile(rule.pattern) }));

export interface RouteMatch {
  readonly rule: RouteRule;
  /** Path parameters, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
}

/** The rule for a request, or null when the table has none (the guard refuses those). HEAD uses GET's rule. */
export function matchRoute(method: string, pathname: string): RouteMatch | null {
  const wanted = method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase();
  for (const { rule, regex } of compiled) {
    if (rule.method !== wanted) continue;
    const match = regex.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) {
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        return null; // malformed escape: no route
      }
    }
    return { rule, params };
  }
  return null;
}

/** The pattern of a route file under app/ (`app/api/v1/brokers/[broker]/route.ts` → `/api/v1/brokers/:broker`). */
export function patternOfRouteFile(file: string): string {
  const segments = file
    .replace(/\\/g, "/")
    .replace(/^.*?app\//, "")
    .replace(/\/?route\.(ts|tsx|js|mjs)$/, "")
    .split("/")
    .filter((segment) => segment && !/^\(.*\)$/.test(segment) && !segment.startsWith("@"));
  return `/${segments
    .map((segment) => {
      const catchAll = /^\[\[?\.\.\.(.+?)\]\]?$/.exec(segment);
      if (catchAll) return `*${catchAll[1]}`;
      const param = /^\[(.+)\]$/.exec(segment);
      return param ? `:${param[1]}` : segment;
    })
    .join("/")}`;
}
