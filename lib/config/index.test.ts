import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, configSecrets, loadConfig } from "./index";

const dir = mkdtempSync(path.join(tmpdir(), "dlq-config-"));
function file(name: string, text: string): string {
  const target = path.join(dir, name);
  writeFileSync(target, text);
  return target;
}
const errorOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
};

const yaml = `
brokers:
  - name: rabbit-prod
    kind: rabbitmq
    environment: prod
    connection:
      url: amqp://console:\${RABBIT_PASSWORD}@rabbit.internal:5672/orders
    queues:
      include: ["orders.*"]
      exclude: ["*.test"]
  - name: sqs-eu
    kind: sqs
    connection:
      region: eu-west-1
  - name: sb
    kind: servicebus
    connection:
      connectionString: Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s3cr3tKey=
`;

describe("loadConfig", () => {
  it("reads a YAML brokers file with env interpolation and defaults", () => {
    const config = loadConfig({ BROKERS_FILE: file("brokers.yaml", yaml), RABBIT_PASSWORD: "pa55word" });
    expect(config.brokers.map((broker) => `${broker.kind}:${broker.name}`)).toEqual(["rabbitmq:rabbit-prod", "sqs:sqs-eu", "servicebus:sb"]);
    const [rabbit, sqs] = config.brokers;
    expect(rabbit?.connection).toMatchObject({ url: "amqp://console:pa55word@rabbit.internal:5672/orders" });
    expect(rabbit?.queues).toEqual({ include: ["orders.*"], exclude: ["*.test"] });
    expect(sqs?.queues).toEqual({ include: ["*"], exclude: [] });
    expect(config.databaseUrl).toBeNull();
    expect(config.port).toBe(3000);
  });

  it("reads JSON from a file or from the BROKERS variable", () => {
    const json = JSON.stringify({ brokers: [{ name: "r", kind: "rabbitmq", connection: {} }] });
    expect(loadConfig({ BROKERS_FILE: file("brokers.json", json) }).brokers).toHaveLength(1);
    expect(loadConfig({ BROKERS: json }).brokersSource).toBe("BROKERS");
  });

  it("treats empty variables as unset", () => {
    const config = loadConfig({ DATABASE_URL: "", BROKERS_FILE: "", PORT: "" });
    expect(config.databaseUrl).toBeNull();
    expect(config.brokers).toEqual([]);
    expect(config.brokersSource).toBeNull();
  });

  it("reads the archive retention and the environments that need a reason", () => {
    expect(loadConfig({})).toMatchObject({ archiveRetentionDays: 30, reasonRequiredEnvironments: ["prod", "production"] });
    expect(loadConfig({ ARCHIVE_RETENTION_DAYS: "7", REASON_REQUIRED_ENVIRONMENTS: " Prod , live," })).toMatchObject({
      archiveRetentionDays: 7,
      reasonRequiredEnvironments: ["prod", "live"],
    });
    expect(errorOf(() => loadConfig({ ARCHIVE_RETENTION_DAYS: "0" }))).toContain("ARCHIVE_RETENTION_DAYS");
  });

  it("names the file and the field that is wrong", () => {
    const bad = file("bad.yaml", "brokers:\n  - name: ok\n    kind: rabbitmq\n    connection: {}\n  - name: q\n    kind: sqs\n    connection:\n      region: 42\n");
    expect(errorOf(() => loadConfig({ BROKERS_FILE: bad }))).toBe(`${bad}: brokers[1].connection.region: Invalid input: expected string, received number`);
  });

  it("refuses unknown kinds, unknown fields, duplicate names and bad names", () => {
    const load = (brokers: unknown) => () => loadConfig({ BROKERS: JSON.stringify({ brokers }) });
    expect(errorOf(load([{ name: "x", kind: "kafka", connection: {} }]))).toContain("BROKERS: brokers[0].kind");
    expect(errorOf(load([{ name: "x", kind: "rabbitmq", connection: { uri: "amqp://" } }]))).toContain("brokers[0].connection");
    expect(errorOf(load([{ name: "x", kind: "rabbitmq", connection: {} }, { name: "x", kind: "rabbitmq", connection: {} }]))).toContain(
      'brokers[1].name: duplicate broker name "x"',
    );
    expect(errorOf(load([{ name: "Bad Name", kind: "rabbitmq", connection: {} }]))).toContain("brokers[0].name");
  });

  it("says which variable a file references but the environment lacks", () => {
    expect(errorOf(() => loadConfig({ BROKERS_FILE: file("needs-env.yaml", yaml) }))).toContain("RABBIT_PASSWORD is referenced but not set");
  });

  it("says when the file is missing or not parseable", () => {
    expect(errorOf(() => loadConfig({ BROKERS_FILE: path.join(dir, "nope.yaml") }))).toContain("ENOENT");
    expect(errorOf(() => loadConfig({ BROKERS_FILE: file("broken.json", "{ brokers: ") }))).toContain("not valid JSON");
  });

  it("collects every secret so it can be kept out of responses", () => {
    const config = loadConfig({
      BROKERS_FILE: file("secrets.yaml", yaml),
      RABBIT_PASSWORD: "pa55word",
      DATABASE_URL: "postgresql://app:dbSecret1@db:5432/console",
    });
    const secrets = configSecrets(config);
    expect(secrets).toEqual(expect.arrayContaining(["pa55word", "s3cr3tKey=", "dbSecret1"]));
    expect(secrets.some((secret) => secret.includes("SharedAccessKey=s3cr3tKey="))).toBe(true);
  });
});

describe("loadConfig: sign-in and roles", () => {
  it("defaults: local accounts on, no SSO, no mappings, loopback origins trusted, cookies not Secure on http localhost", () => {
    const { auth, redaction } = loadConfig({});
    expect(auth).toMatchObject({
      secret: null,
      sessionHours: 12,
      signInRateLimit: 10,
      localAccounts: true,
      localAdminEmail: "admin@console.local",
      localAdminPassword: null,
      oidc: null,
      roleMappings: [],
      defaultRole: null,
      secureCookies: false,
    });
    expect(auth.trustedOrigins).toEqual(expect.arrayContaining(["http://localhost:3000", "http://127.0.0.1:3000"]));
    expect(redaction).toEqual({ jsonPaths: [], headers: [] });
  });

  it("reads OIDC, role mappings with scope defaults, redaction lists; secrets are listed for redaction", () => {
    const config = loadConfig({
      PUBLIC_URL: "https://dlq.example.com",
      AUTH_SECRET: "x".repeat(40),
      OIDC_ISSUER: "https://login.example.com/realms/ops/",
      OIDC_CLIENT_ID: "dlq-console",
      OIDC_CLIENT_SECRET: "oidc-client-s3cret",
      AUTH_ROLE_MAPPINGS: JSON.stringify([{ group: "sre", role: "operator", environments: ["staging"] }, { group: "all", role: "viewer" }]),
      AUTH_DEFAULT_ROLE: "viewer",
      REDACT_JSON_PATHS: "$.card.number, $..email",
      REDACT_HEADERS: "authorization,x-api-key",
    });
    expect(config.auth.secureCookies).toBe(true);
    expect(config.auth.trustedOrigins).toEqual(["https://dlq.example.com"]);
    expect(config.auth.oidc).toEqual({
      issuer: "https://login.example.com/realms/ops",
      clientId: "dlq-console",
      clientSecret: "oidc-client-s3cret",
      scopes: ["openid", "profile", "email"],
      groupsClaim: "groups",
      name: "Single sign-on",
    });
    expect(config.auth.roleMappings).toEqual([
      { group: "sre", role: "operator", brokers: ["*"], environments: ["staging"] },
      { group: "all", role: "viewer", brokers: ["*"], environments: ["*"] },
    ]);
    expect(config.auth.defaultRole).toBe("viewer");
    expect(config.redaction).toEqual({ jsonPaths: ["$.card.number", "$..email"], headers: ["authorization", "x-api-key"] });
    expect(configSecrets(config)).toEqual(expect.arrayContaining(["x".repeat(40), "oidc-client-s3cret"]));
  });

  it("refuses insecure or incomplete sign-in settings, naming the field", () => {
    expect(errorOf(() => loadConfig({ PUBLIC_URL: "http://dlq.example.com" }))).toMatch(/PUBLIC_URL: must be https/);
    expect(errorOf(() => loadConfig({ OIDC_ISSUER: "http://idp.example.com", OIDC_CLIENT_ID: "c" }))).toMatch(/OIDC_ISSUER: must be https/);
    expect(errorOf(() => loadConfig({ OIDC_ISSUER: "https://idp.example.com" }))).toMatch(/OIDC_CLIENT_ID: required/);
    expect(errorOf(() => loadConfig({ LOCAL_ACCOUNTS: "false" }))).toMatch(/LOCAL_ACCOUNTS/);
    expect(errorOf(() => loadConfig({ AUTH_ROLE_MAPPINGS: "[{" }))).toMatch(/AUTH_ROLE_MAPPINGS: not valid JSON/);
    expect(errorOf(() => loadConfig({ AUTH_ROLE_MAPPINGS: '[{"group":"g","role":"root"}]' }))).toMatch(/AUTH_ROLE_MAPPINGS: \[0\]\.role/);
    expect(errorOf(() => loadConfig({ AUTH_SECRET: "short" }))).toMatch(/AUTH_SECRET/);
    expect(errorOf(() => loadConfig({ LOCAL_ADMIN_PASSWORD: "short" }))).toMatch(/LOCAL_ADMIN_PASSWORD/);
  });
});

describe("loadConfig: bulk replay and jobs", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({});
    expect(config.bulkReplay).toEqual({
      ratePerSecond: 500, maxRatePerSecond: 10_000, batchSize: 100, concurrency: 1, canarySize: 10, canaryWindowMs: 30_000,
      returnThreshold: 0.05, failureThreshold: 0.1, maxMessages: 1_000_000, returnScan: 2000, returnCheckMs: 15_000,
    });
    expect(config.jobs).toEqual({ worker: true, concurrency: 2, leaseMs: 30_000, pollSeconds: 1, poolSize: 4 });
  });

  it("reads overrides, keeps the default rate under the maximum, and names a bad field", () => {
    const config = loadConfig({ BULK_REPLAY_RATE: "900", BULK_REPLAY_MAX_RATE: "800", BULK_REPLAY_CANARY_SIZE: "0", JOBS_WORKER: "false", JOBS_LEASE_SECONDS: "5" });
    expect(config.bulkReplay).toMatchObject({ ratePerSecond: 800, maxRatePerSecond: 800, canarySize: 0 });
    expect(config.jobs).toMatchObject({ worker: false, leaseMs: 5000 });
    expect(errorOf(() => loadConfig({ BULK_REPLAY_RETURN_THRESHOLD: "1.5" }))).toMatch(/BULK_REPLAY_RETURN_THRESHOLD/);
    expect(errorOf(() => loadConfig({ JOBS_POLL_SECONDS: "0.1" }))).toMatch(/JOBS_POLL_SECONDS/);
  });
  it("defaults the public URL to the local port, so a changed PORT keeps sign-in working", () => {
    expect(loadConfig({ PORT: "3400" }).publicUrl).toBe("http://localhost:3400");
    expect(loadConfig({}).publicUrl).toBe("http://localhost:3000");
    expect(loadConfig({ PORT: "3400", PUBLIC_URL: "https://dlq.example.com" }).publicUrl).toBe("https://dlq.example.com");
    expect(loadConfig({ PORT: "3400" }).auth.trustedOrigins).toContain("http://127.0.0.1:3400");
  });
});
