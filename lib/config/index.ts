import "server-only";
// The one place that reads process.env: parsed once with zod into a typed object.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { rabbitmqOptionsSchema, rabbitmqSecrets } from "@/lib/brokers/rabbitmq/options";
import { servicebusOptionsSchema, servicebusSecrets } from "@/lib/brokers/servicebus/options";
import { sqsOptionsSchema, sqsSecrets } from "@/lib/brokers/sqs/options";
import { invalidProxyEntry } from "@/lib/auth/client-ip";
import { ROLES, type Role, type RoleMapping } from "@/lib/auth/roles";

/** Invalid configuration: the message names the file and the field. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const queueFilterSchema = z
  .object({
    /** Glob patterns (`*` matches anything) a DLQ name must match. Default: every queue. */
    include: z.array(z.string().min(1)).default(["*"]),
    /** Glob patterns that hide a DLQ even when included. Default: none. */
    exclude: z.array(z.string().min(1)).default([]),
  })
  .strict();

const brokerBase = {
  /** Unique, URL-safe name shown in the UI and used in links. */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "must be lowercase letters, digits, '.', '_' or '-' (at most 63)"),
  /** Free-form environment label; "prod" / "production" is shown in red. */
  environment: z.string().min(1).max(32).optional(),
  queues: queueFilterSchema.default({ include: ["*"], exclude: [] }),
};

const brokerSchema = z.discriminatedUnion("kind", [
  z.object({ ...brokerBase, kind: z.literal("rabbitmq"), connection: rabbitmqOptionsSchema }).strict(),
  z.object({ ...brokerBase, kind: z.literal("sqs"), connection: sqsOptionsSchema }).strict(),
  z.object({ ...brokerBase, kind: z.literal("servicebus"), connection: servicebusOptionsSchema }).strict(),
]);

const brokersFileSchema = z
  .object({ brokers: z.array(brokerSchema) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.brokers.forEach((broker, index) => {
      if (seen.has(broker.name)) {
        ctx.addIssue({ code: "custom", path: ["brokers", index, "name"], message: `duplicate broker name "${broker.name}"` });
      }
      seen.add(broker.name);
    });
  });

const envSchema = z.object({
  /** Postgres URL. Absent: an embedded Postgres under DATA_DIR is started by scripts/start.ts. */
  DATABASE_URL: z.string().min(1).optional(),
  /** Path to a YAML or JSON brokers file. */
  BROKERS_FILE: z.string().min(1).optional(),
  /** The brokers file's content as JSON, for platforms that configure by env only. */
  BROKERS: z.string().min(1).optional(),
  /** Where the embedded Postgres and sandbox state live. Default: .data */
  DATA_DIR: z.string().min(1).default(".data"),
  /** Public base URL of the console (links in alerts, sign-in Origin check, cookies). Default: http://localhost:<PORT> */
  PUBLIC_URL: z.string().min(1).optional(),
  /** Interface the console listens on; 0.0.0.0 to serve other machines. Default: 127.0.0.1 */
  HOST: z.string().min(1).default("127.0.0.1"),
  /** HTTP port of the console. Default: 3000 */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Port of the embedded Postgres started when DATABASE_URL is absent. Default: 54329 */
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Vhost the RabbitMQ sandbox (re)creates and seeds. Default: dlq-sandbox */
  SANDBOX_RABBITMQ_VHOST: z.string().min(1).default("dlq-sandbox"),
  /** "false" turns the sandbox brokers off when no brokers are configured. Default: on */
  SANDBOX: z.enum(["true", "false"]).default("true"),
  /** Bearer token Prometheus scrapes /metrics with. Absent: /metrics is off (404). */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** Days a purged message stays in the archive (restorable) before it is pruned. Default: 30 */
  ARCHIVE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Comma-separated broker environment labels where every operation needs a reason or ticket. Default: prod,production */
  REASON_REQUIRED_ENVIRONMENTS: z.string().default("prod,production"),

  // Bulk replay and background jobs (docs/bulk-replay.md).
  /** Messages per second a bulk replay sends unless the operator sets another rate. Default: 500 */
  BULK_REPLAY_RATE: z.coerce.number().int().min(1).max(100_000).default(500),
  /** Highest rate an operator may set on a job. Default: 10000 */
  BULK_REPLAY_MAX_RATE: z.coerce.number().int().min(1).max(100_000).default(10_000),
  /** Messages per broker call (one checkpoint each; also the bound on duplicates after a crash). Default: 100 */
  BULK_REPLAY_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(100),
  /** Lanes replaying in parallel; messages that share a partition key share a lane. Default: 1 */
  BULK_REPLAY_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  /** Messages in the canary batch; 0 turns the canary off. Default: 10 */
  BULK_REPLAY_CANARY_SIZE: z.coerce.number().int().min(0).max(500).default(10),
  /** Seconds to watch for canary copies coming back to the DLQ before the rest goes. Default: 30 */
  BULK_REPLAY_CANARY_WINDOW_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /** Share (0..1) of replayed messages seen back in the DLQ that pauses a job. Default: 0.05 */
  BULK_REPLAY_RETURN_THRESHOLD: z.coerce.number().min(0).max(1).default(0.05),
  /** Share (0..1) of messages that failed (after retries) that pauses a job. Default: 0.1 */
  BULK_REPLAY_FAILURE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.1),
  /** Most messages one plan freezes. Default: 1000000 */
  BULK_REPLAY_MAX_MESSAGES: z.coerce.number().int().min(1).max(10_000_000).default(1_000_000),
  /** Messages a return check reads from the DLQ. Default: 2000 */
  BULK_REPLAY_RETURN_SCAN: z.coerce.number().int().min(1).max(100_000).default(2000),
  /** Seconds between return checks while a job runs. Default: 15 */
  BULK_REPLAY_RETURN_CHECK_SECONDS: z.coerce.number().min(0.1).max(3600).default(15),
  /** "false": this process queues jobs but runs none (a web-only replica). Default: true */
  JOBS_WORKER: z.enum(["true", "false"]).default("true"),
  /** Jobs one process runs at once. Default: 2 */
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  /** Seconds a worker's lease on a job lasts unrenewed; a dead worker's job moves on after this. Default: 30 */
  JOBS_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  /** Seconds between polls for new jobs (pg-boss; at least 0.5). Default: 1 */
  JOBS_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(1),

  // Sign-in and roles (README, "Sign-in and roles").
  /** Key that signs session cookies (at least 32 characters). Absent: scripts/start.ts keeps one in DATA_DIR/auth-secret. */
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** Hours a session lasts without activity. Default: 12 */
  AUTH_SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** Comma-separated extra origins allowed to send mutations (besides PUBLIC_URL's). Default: none */
  AUTH_TRUSTED_ORIGINS: z.string().default(""),
  /** Sign-in attempts allowed per client IP per minute. Default: 10 */
  AUTH_SIGNIN_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For is believed. Default: none (the socket peer address) */
  AUTH_TRUSTED_PROXIES: z.string().default(""),
  /** "false" turns local (email + password) accounts off, leaving OIDC only. Default: true */
  LOCAL_ACCOUNTS: z.enum(["true", "false"]).default("true"),
  /** Email (sign-in name) of the local admin created on first start. Default: admin@console.local */
  LOCAL_ADMIN_EMAIL: z.email().default("admin@console.local"),
  /** The local admin's password (set on every start). Absent: one is generated on first start and printed once. */
  LOCAL_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  /** OIDC issuer URL (discovery at /.well-known/openid-configuration). Absent: no single sign-on. */
  OIDC_ISSUER: z.url().optional(),
  /** OIDC client id registered with the issuer. Required with OIDC_ISSUER. */
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** OIDC client secret. Absent: a public client (PKCE only). */
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Space-separated scopes to request. Default: openid profile email */
  OIDC_SCOPES: z.string().min(1).default("openid profile email"),
  /** Claim of the ID token / userinfo that lists the user's groups or roles. Default: groups */
  OIDC_GROUPS_CLAIM: z.string().min(1).default("groups"),
  /** Label of the sign-in button. Default: Single sign-on */
  OIDC_NAME: z.string().min(1).default("Single sign-on"),
  /** JSON array of {group, role, brokers?, environments?}: which IdP group grants which role where. Default: [] */
  AUTH_ROLE_MAPPINGS: z.string().default("[]"),
  /** Role every signed-in OIDC user has even without a mapped group ("none" for no access). Default: none */
  AUTH_DEFAULT_ROLE: z.enum(["none", ...ROLES]).default("none"),
  /** Comma-separated JSON paths masked in payloads for roles without reader, and in exports ($.card.number, $..email). Default: none */
  REDACT_JSON_PATHS: z.string().default(""),
  /** Comma-separated property/header names masked the same way (case-insensitive). Default: none */
  REDACT_HEADERS: z.string().default(""),
});

const roleMappingsSchema = z.array(
  z
    .object({
      /** The group (or role) value as the IdP sends it in OIDC_GROUPS_CLAIM; Entra ID sends object ids. */
      group: z.string().min(1),
      role: z.enum(ROLES),
      /** Broker name globs the grant covers. Default: every broker. */
      brokers: z.array(z.string().min(1)).min(1).default(["*"]),
      /** Environment label globs the grant covers. Default: every environment. */
      environments: z.array(z.string().min(1)).min(1).default(["*"]),
    })
    .strict(),
);

/** Environment variables, as process.env holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;
export type BrokerConfig = z.infer<typeof brokerSchema>;
export type QueueFilter = z.infer<typeof queueFilterSchema>;

export interface AppConfig {
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly publicUrl: string;
  readonly host: string;
  readonly port: number;
  readonly embeddedPostgresPort: number;
  /** Start seeded sandbox brokers when none are configured. */
  readonly sandbox: boolean;
  readonly sandboxRabbitmqVhost: string;
  /** The token /metrics requires; null: metrics are off. */
  readonly metricsToken: string | null;
  readonly brokers: readonly BrokerConfig[];
  /** Where the brokers came from, for messages: a file path, "BROKERS" or null when none. */
  readonly brokersSource: string | null;
  /** Days a purged message stays restorable in the archive. */
  readonly archiveRetentionDays: number;
  /** Environment labels (lowercase) where operations must carry a reason or ticket. */
  readonly reasonRequiredEnvironments: readonly string[];
  readonly auth: AuthConfig;
  /** What payload redaction masks (lib/auth/redaction.ts). */
  readonly redaction: { readonly jsonPaths: readonly string[]; readonly headers: readonly string[] };
  readonly bulkReplay: BulkReplayConfig;
  readonly jobs: JobsConfig;
}

/** Bulk replay defaults and limits (docs/bulk-replay.md). */
export interface BulkReplayConfig {
  readonly ratePerSecond: number;
  readonly maxRatePerSecond: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly canarySize: number;
  readonly canaryWindowMs: number;
  readonly returnThreshold: number;
  readonly failureThreshold: number;
  readonly maxMessages: number;
  readonly returnScan: number;
  readonly returnCheckMs: number;
}

/** Background jobs (lib/jobs, pg-boss). */
export interface JobsConfig {
  /** This process runs jobs (not only queues them). */
  readonly worker: boolean;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly pollSeconds: number;
  /** Connections pg-boss keeps. */
  readonly poolSize: number;
}

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | null;
  readonly scopes: readonly string[];
  readonly groupsClaim: string;
  readonly name: string;
}

export interface AuthConfig {
  readonly secret: string | null;
  readonly sessionHours: number;
  /** Origins allowed to send mutations: PUBLIC_URL's (both loopback spellings) and AUTH_TRUSTED_ORIGINS. */
  readonly trustedOrigins: readonly string[];
  /** Cookies are Secure unless PUBLIC_URL is plain http on a loopback address. */
  readonly secureCookies: boolean;
  readonly signInRateLimit: number;
  /** Reverse proxies (IPs, CIDRs) whose X-Forwarded-For names the client (lib/auth/client-ip.ts); empty: none. */
  readonly trustedProxies: readonly string[];
  readonly localAccounts: boolean;
  readonly localAdminEmail: string;
  readonly localAdminPassword: string | null;
  readonly oidc: OidcConfig | null;
  readonly roleMappings: readonly RoleMapping[];
  readonly defaultRole: Role | null;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const isLoopback = (url: URL) => LOOPBACK_HOSTS.has(url.hostname);
const list = (text: string) => text.split(",").map((item) => item.trim()).filter(Boolean);

function parseAuth(env: z.infer<typeof envSchema> & { PUBLIC_URL: string }): AuthConfig {
  const publicUrl = new URL(env.PUBLIC_URL);
  if (publicUrl.protocol !== "https:" && !isLoopback(publicUrl)) {
    throw new ConfigError("environment: PUBLIC_URL: must be https (session cookies are Secure); plain http only on localhost");
  }
  const origins = new Set([publicUrl.origin]);
  if (isLoopback(publicUrl)) for (const host of LOOPBACK_HOSTS) origins.add(`${publicUrl.protocol}//${host}${publicUrl.port ? `:${publicUrl.port}` : ""}`);
  for (const origin of list(env.AUTH_TRUSTED_ORIGINS)) {
    try {
      origins.add(new URL(origin).origin);
    } catch {
      throw new ConfigError(`environment: AUTH_TRUSTED_ORIGINS: "${origin}" is not a URL`);
    }
  }
  let mappingsDocument: unknown;
  try {
    mappingsDocument = JSON.parse(env.AUTH_ROLE_MAPPINGS);
  } catch (error) {
    throw new ConfigError(`environment: AUTH_ROLE_MAPPINGS: not valid JSON: ${(error as Error).message}`);
  }
  const mappings = roleMappingsSchema.safeParse(mappingsDocument);
  if (!mappings.success) throw new ConfigError(describeIssues("AUTH_ROLE_MAPPINGS", mappings.error));
  let oidc: OidcConfig | null = null;
  if (env.OIDC_ISSUER) {
    const issuer = new URL(env.OIDC_ISSUER);
    if (issuer.protocol !== "https:" && !isLoopback(issuer)) throw new ConfigError("environment: OIDC_ISSUER: must be https (plain http only on loopback)");
    if (!env.OIDC_CLIENT_ID) throw new ConfigError("environment: OIDC_CLIENT_ID: required with OIDC_ISSUER");
    oidc = {
      issuer: env.OIDC_ISSUER.replace(/\/+$/, ""),
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET ?? null,
      scopes: env.OIDC_SCOPES.split(/\s+/).filter(Boolean),
      groupsClaim: env.OIDC_GROUPS_CLAIM,
      name: env.OIDC_NAME,
    };
  }
  const trustedProxies = list(env.AUTH_TRUSTED_PROXIES);
  for (const entry of trustedProxies) {
    const problem = invalidProxyEntry(entry);
    if (problem) throw new ConfigError(`environment: AUTH_TRUSTED_PROXIES: ${problem}`);
  }
  if (env.LOCAL_ACCOUNTS === "false" && !oidc) throw new ConfigError("environment: LOCAL_ACCOUNTS: false needs OIDC_ISSUER, or nobody can sign in");
  return {
    secret: env.AUTH_SECRET ?? null,
    sessionHours: env.AUTH_SESSION_HOURS,
    trustedOrigins: [...origins],
    secureCookies: !(publicUrl.protocol === "http:" && isLoopback(publicUrl)),
    signInRateLimit: env.AUTH_SIGNIN_RATE_LIMIT,
    trustedProxies,
    localAccounts: env.LOCAL_ACCOUNTS === "true",
    localAdminEmail: env.LOCAL_ADMIN_EMAIL.toLowerCase(),
    localAdminPassword: env.LOCAL_ADMIN_PASSWORD ?? null,
    oidc,
    roleMappings: mappings.data,
    defaultRole: env.AUTH_DEFAULT_ROLE === "none" ? null : env.AUTH_DEFAULT_ROLE,
  };
}

/** Render zod issues as one line per problem, each naming the field. */
function describeIssues(source: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("");
      return `${source}: ${field.replace(/^\./, "") || "(root)"}: ${issue.message}`;
    })
    .join("\n");
}

/** Replace ${NAME} in string values with the environment variable, so secrets need not sit in the file. */
function interpolate(value: unknown, env: Environment, source: string): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_match, name: string) => {
      const resolved = env[name];
      if (resolved === undefined) throw new ConfigError(`${source}: environment variable ${name} is referenced but not set`);
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env, source));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env, source)]));
  }
  return value;
}

function readBrokersDocument(env: z.infer<typeof envSchema>, rawEnv: Environment): { source: string; document: unknown } | null {
  if (env.BROKERS_FILE) {
    const file = path.resolve(env.BROKERS_FILE);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError(`BROKERS_FILE: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    try {
      const document = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
      return { source: file, document: interpolate(document, rawEnv, file) };
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`${file}: not valid ${/\.json$/i.test(file) ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  if (env.BROKERS) {
    try {
      return { source: "BROKERS", document: interpolate(JSON.parse(env.BROKERS), rawEnv, "BROKERS") };
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`BROKERS: not valid JSON: ${(error as Error).message}`);
    }
  }
  return null;
}

/** Parse the configuration from an environment; throws ConfigError naming the field. */
export function loadConfig(rawEnv: Environment = process.env): AppConfig {
  // An empty variable means unset, as shells and .env files use it.
  const setVariables = Object.fromEntries(Object.entries(rawEnv).filter(([, value]) => value !== ""));
  const envResult = envSchema.safeParse(setVariables);
  if (!envResult.success) throw new ConfigError(describeIssues("environment", envResult.error));
  // Unset, the public URL is where the console listens locally, so a changed PORT keeps sign-in's
  // Origin check, links and cookies right without a second setting.
  const env = { ...envResult.data, PUBLIC_URL: envResult.data.PUBLIC_URL ?? `http://localhost:${envResult.data.PORT}` };

  const brokersDocument = readBrokersDocument(env, rawEnv);
  let brokers: BrokerConfig[] = [];
  if (brokersDocument) {
    const parsed = brokersFileSchema.safeParse(brokersDocument.document);
    if (!parsed.success) throw new ConfigError(describeIssues(brokersDocument.source, parsed.error));
    brokers = parsed.data.brokers;
  }
  return {
    databaseUrl: env.DATABASE_URL ?? null,
    dataDir: path.resolve(env.DATA_DIR),
    publicUrl: env.PUBLIC_URL,
    host: env.HOST,
    port: env.PORT,
    embeddedPostgresPort: env.EMBEDDED_POSTGRES_PORT,
    sandbox: env.SANDBOX === "true",
    sandboxRabbitmqVhost: env.SANDBOX_RABBITMQ_VHOST,
    metricsToken: env.METRICS_TOKEN ?? null,
    brokers,
    brokersSource: brokersDocument?.source ?? null,
    archiveRetentionDays: env.ARCHIVE_RETENTION_DAYS,
    reasonRequiredEnvironments: env.REASON_REQUIRED_ENVIRONMENTS.split(",").map((label) => label.trim().toLowerCase()).filter(Boolean),
    auth: parseAuth(env),
    redaction: { jsonPaths: list(env.REDACT_JSON_PATHS), headers: list(env.REDACT_HEADERS) },
    bulkReplay: {
      ratePerSecond: Math.min(env.BULK_REPLAY_RATE, env.BULK_REPLAY_MAX_RATE),
      maxRatePerSecond: env.BULK_REPLAY_MAX_RATE,
      batchSize: env.BULK_REPLAY_BATCH_SIZE,
      concurrency: env.BULK_REPLAY_CONCURRENCY,
      canarySize: env.BULK_REPLAY_CANARY_SIZE,
      canaryWindowMs: Math.round(env.BULK_REPLAY_CANARY_WINDOW_SECONDS * 1000),
      returnThreshold: env.BULK_REPLAY_RETURN_THRESHOLD,
      failureThreshold: env.BULK_REPLAY_FAILURE_THRESHOLD,
      maxMessages: env.BULK_REPLAY_MAX_MESSAGES,
      returnScan: env.BULK_REPLAY_RETURN_SCAN,
      returnCheckMs: Math.round(env.BULK_REPLAY_RETURN_CHECK_SECONDS * 1000),
    },
    jobs: {
      worker: env.JOBS_WORKER === "true",
      concurrency: env.JOBS_CONCURRENCY,
      leaseMs: Math.round(env.JOBS_LEASE_SECONDS * 1000),
      pollSeconds: env.JOBS_POLL_SECONDS,
      poolSize: 4,
    },
  };
}

let cached: AppConfig | null = null;

/** The process's configuration, parsed on first use. */
export function getConfig(): AppConfig {
  cached ??= loadConfig();
  return cached;
}

/** Every secret value in the configuration, to keep out of responses and logs (rule 9). */
export function configSecrets(config: AppConfig): string[] {
  const secrets = config.brokers.flatMap((broker) => {
    switch (broker.kind) {
      case "rabbitmq":
        return rabbitmqSecrets(broker.connection);
      case "sqs":
        return sqsSecrets(broker.connection);
      case "servicebus":
        return servicebusSecrets(broker.connection);
    }
  });
  if (config.databaseUrl) {
    try {
      const password = new URL(config.databaseUrl).password;
      if (password) secrets.push(decodeURIComponent(password), config.databaseUrl);
    } catch {
      secrets.push(config.databaseUrl);
    }
  }
  const { secret, localAdminPassword, oidc } = config.auth;
  for (const value of [secret, localAdminPassword, oidc?.clientSecret, config.metricsToken]) if (value) secrets.push(value);
  return [...new Set(secrets.filter((secret) => secret.length >= 4))];
}
