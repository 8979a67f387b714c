// End-to-end tests in a real Chromium (Debian's, never a downloaded build) against the console
// started exactly as a newcomer starts it: no configuration, so embedded Postgres and the seeded
// sandbox brokers. Separate port and data dir so a running `npm run dev` is left alone.
// Sign-in is required: global setup signs in once as the local admin (whose cookies every test
// uses by default) and once per role through a real OIDC issuer on loopback (e2e/oidc-issuer.ts).
import { defineConfig } from "@playwright/test";
import { SANDBOX_VHOST } from "./e2e/rabbitmq-management";
import { ADMIN_STATE, E2E_BASE_URL, E2E_OIDC, E2E_PORT, E2E_ROLE_MAPPINGS, E2E_TRUSTED_PROXY, LOCAL_ADMIN } from "./e2e/users";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: E2E_BASE_URL,
    storageState: ADMIN_STATE,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      // --no-sandbox: CI runs as root. The rest keep Chromium off a network it cannot reach.
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: [
    {
      command: "node --import tsx e2e/oidc-issuer.ts",
      url: `${E2E_OIDC.issuer}/.well-known/openid-configuration`,
      timeout: 30_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: { E2E_PORT: String(E2E_PORT) },
    },
    {
      command: "node --conditions=react-server --import tsx scripts/start.ts start",
      // A page anyone may open: polling an API route would only fill the audit log with 401s.
      url: `${E2E_BASE_URL}/signin`,
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        PORT: String(E2E_PORT),
        PUBLIC_URL: E2E_BASE_URL,
        DATA_DIR: ".data/e2e",
        EMBEDDED_POSTGRES_PORT: String(Number(process.env.E2E_POSTGRES_PORT ?? 54339)),
        SANDBOX_RABBITMQ_VHOST: SANDBOX_VHOST,
        // Zero configuration, whatever the calling shell has set ...
        DATABASE_URL: "",
        BROKERS_FILE: "",
        BROKERS: "",
        AUTH_SECRET: "",
        // ... except sign-in: a known local admin password and the loopback issuer.
        LOCAL_ACCOUNTS: "true",
        LOCAL_ADMIN_EMAIL: LOCAL_ADMIN.email,
        LOCAL_ADMIN_PASSWORD: LOCAL_ADMIN.password,
        OIDC_ISSUER: E2E_OIDC.issuer,
        OIDC_CLIENT_ID: E2E_OIDC.clientId,
        OIDC_CLIENT_SECRET: E2E_OIDC.clientSecret,
        OIDC_SCOPES: "openid profile email groups",
        OIDC_GROUPS_CLAIM: "groups",
        OIDC_NAME: "E2E issuer",
        AUTH_ROLE_MAPPINGS: JSON.stringify(E2E_ROLE_MAPPINGS),
        AUTH_DEFAULT_ROLE: "none",
        AUTH_SIGNIN_RATE_LIMIT: "10",
        // A second loopback address stands in for a reverse proxy (e2e/auth.spec.ts); 127.0.0.1 is a client.
        AUTH_TRUSTED_PROXIES: E2E_TRUSTED_PROXY,
        REDACT_JSON_PATHS: "$.card.number,$..email",
        REDACT_HEADERS: "authorization",
      },
    },
  ],
});
