// Who the e2e tests sign in as: the local admin (password from the webServer env) and one OIDC
// user per role, each in the IdP group that AUTH_ROLE_MAPPINGS (playwright.config.ts) maps.
import path from "node:path";

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
const OIDC_PORT = Number(process.env.E2E_OIDC_PORT ?? 3199);

export const E2E_OIDC = {
  issuer: `http://127.0.0.1:${OIDC_PORT}`,
  clientId: "dlq-console-e2e",
  clientSecret: "e2e-oidc-client-secret-0123456789",
  redirectUri: `${E2E_BASE_URL}/api/auth/callback/oidc`,
  postLogoutRedirectUri: `${E2E_BASE_URL}/signin`,
} as const;

/** A second loopback address the e2e console trusts as a reverse proxy (AUTH_TRUSTED_PROXIES). */
export const E2E_TRUSTED_PROXY = "127.0.0.2";

export const LOCAL_ADMIN = { email: "admin@console.local", password: "e2e-local-admin-password" } as const;

export type E2eRole = "viewer" | "reader" | "operator" | "admin";

export interface E2eUser {
  readonly login: string;
  readonly email: string;
  readonly name: string;
  readonly groups: readonly string[];
  /** The role AUTH_ROLE_MAPPINGS gives this user everywhere (unscoped grants), or null for none. */
  readonly role: E2eRole | null;
  /** Stronger roles on single brokers (broker-scoped grants). */
  readonly onBroker?: Readonly<Record<string, E2eRole>>;
}

export const E2E_USERS: readonly E2eUser[] = [
  { login: "vera", email: "vera@e2e.test", name: "Vera Viewer", groups: ["dlq-viewers"], role: "viewer" },
  { login: "rita", email: "rita@e2e.test", name: "Rita Reader", groups: ["dlq-readers"], role: "reader" },
  { login: "otto", email: "otto@e2e.test", name: "Otto Operator", groups: ["dlq-operators"], role: "operator" },
  { login: "ada", email: "ada@e2e.test", name: "Ada Admin", groups: ["dlq-admins"], role: "admin" },
  // Operator on prod only, viewer elsewhere: on the sandbox brokers (environment "sandbox") a viewer.
  { login: "pia", email: "pia@e2e.test", name: "Pia Prod-Operator", groups: ["dlq-prod-operators", "dlq-viewers"], role: "viewer" },
  // Operator on the SQS sandbox broker only, viewer elsewhere.
  { login: "sam", email: "sam@e2e.test", name: "Sam SQS-Operator", groups: ["dlq-sqs-operators", "dlq-viewers"], role: "viewer", onBroker: { "sqs-sandbox": "operator" } },
  // In no mapped group: signed in, but no access.
  { login: "nemo", email: "nemo@e2e.test", name: "Nemo Nobody", groups: ["unrelated"], role: null },
];

/** The AUTH_ROLE_MAPPINGS the e2e console runs with. */
export const E2E_ROLE_MAPPINGS = [
  { group: "dlq-viewers", role: "viewer" },
  { group: "dlq-readers", role: "reader" },
  { group: "dlq-operators", role: "operator" },
  { group: "dlq-admins", role: "admin" },
  { group: "dlq-prod-operators", role: "operator", environments: ["prod", "production"] },
  { group: "dlq-sqs-operators", role: "operator", brokers: ["sqs-sandbox"] },
];

const STATE_DIR = path.join(process.cwd(), ".data", "e2e", "auth");

/** Where a signed-in user's cookies are kept between global setup and the tests. */
export function storageStatePath(login: string): string {
  return path.join(STATE_DIR, `${login}.json`);
}
export const ADMIN_STATE = storageStatePath("local-admin");
