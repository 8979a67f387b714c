// Start-up sign-in work against a real Postgres: the local admin is created once with a password
// printed once, LOCAL_ADMIN_PASSWORD sets it, LOCAL_ACCOUNTS=false creates nothing; the session
// secret is kept 0600 in DATA_DIR.
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { verifyPassword } from "better-auth/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/config";
import { migrateDatabase } from "@/lib/db/migrate";
import { createTestDatabase, withClient, type TestDatabase } from "@/lib/db/test-database";
import { authSecretFor, ensureLocalAdmin } from "./local-admin";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase("local_admin");
  await migrateDatabase(database.url);
}, 120_000);
afterAll(async () => database?.drop());

async function storedHash(email: string): Promise<string | null> {
  return withClient(database.url, async (client) => {
    const result = await client.query<{ password: string; local: boolean }>(
      "SELECT a.password, u.local FROM auth_user u JOIN auth_account a ON a.user_id = u.id AND a.provider_id = 'credential' WHERE u.email = $1",
      [email],
    );
    expect(result.rows.length).toBeLessThanOrEqual(1);
    if (result.rows[0]) expect(result.rows[0].local).toBe(true);
    return result.rows[0]?.password ?? null;
  });
}

describe("ensureLocalAdmin", () => {
  it("creates the local admin once, printing the generated password only then", async () => {
    const lines: string[] = [];
    const config = loadConfig({ LOCAL_ADMIN_EMAIL: "first@console.local" });
    await ensureLocalAdmin(config, database.url, (line) => lines.push(line));
    const printed = /local admin created: first@console\.local \/ (\S+)/.exec(lines.join("\n"))?.[1];
    expect(printed).toBeDefined();
    expect(await verifyPassword({ hash: (await storedHash("first@console.local"))!, password: printed! })).toBe(true);

    const again: string[] = [];
    await ensureLocalAdmin(config, database.url, (line) => again.push(line));
    expect(again.join("\n")).not.toContain(printed!);
    expect(await verifyPassword({ hash: (await storedHash("first@console.local"))!, password: printed! })).toBe(true);
  });

  it("sets LOCAL_ADMIN_PASSWORD on every start and never prints it", async () => {
    const lines: string[] = [];
    for (const password of ["chosen-password-one", "chosen-password-two"]) {
      await ensureLocalAdmin(loadConfig({ LOCAL_ADMIN_EMAIL: "set@console.local", LOCAL_ADMIN_PASSWORD: password }), database.url, (line) => lines.push(line));
      expect(await verifyPassword({ hash: (await storedHash("set@console.local"))!, password })).toBe(true);
    }
    expect(lines.join("\n")).not.toMatch(/chosen-password/);
  });

  it("creates nothing when local accounts are off", async () => {
    const config = loadConfig({ LOCAL_ACCOUNTS: "false", LOCAL_ADMIN_EMAIL: "off@console.local", OIDC_ISSUER: "https://idp.example.com", OIDC_CLIENT_ID: "c" });
    await ensureLocalAdmin(config, database.url, () => undefined);
    expect(await storedHash("off@console.local")).toBeNull();
  });
});

describe("authSecretFor", () => {
  it("keeps a generated secret in DATA_DIR (0600) and prefers AUTH_SECRET", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "dlq-auth-secret-"));
    const config = loadConfig({ DATA_DIR: dataDir });
    const secret = authSecretFor(config, () => undefined);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(authSecretFor(config, () => undefined)).toBe(secret);
    expect(statSync(path.join(dataDir, "auth-secret")).mode & 0o777).toBe(0o600);
    expect(authSecretFor(loadConfig({ DATA_DIR: dataDir, AUTH_SECRET: "y".repeat(32) }), () => undefined)).toBe("y".repeat(32));
  });
});
