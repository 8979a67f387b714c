import "server-only";
// Start-up work for sign-in (scripts/start.ts calls it after migrations): the session-signing
// secret for the embedded default, and the local admin account so `npm run dev` can sign in at once.
import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hashPassword } from "better-auth/crypto";
import pg from "pg";
import type { AppConfig } from "@/lib/config";

/** The configured AUTH_SECRET, or one kept in DATA_DIR/auth-secret (created 0600 on first start). */
export function authSecretFor(config: AppConfig, log: (line: string) => void): string {
  if (config.auth.secret) return config.auth.secret;
  const file = path.join(config.dataDir, "auth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  log(`session secret created in ${file}${config.databaseUrl ? " (set AUTH_SECRET so every replica signs sessions alike)" : ""}`);
  return secret;
}

/**
 * Make sure the local admin exists when local accounts are on. With LOCAL_ADMIN_PASSWORD the
 * password is (re)set to it on every start; without, a generated one is printed once, at creation.
 */
export async function ensureLocalAdmin(config: AppConfig, databaseUrl: string, log: (line: string) => void): Promise<void> {
  const { localAccounts, localAdminEmail: email, localAdminPassword } = config.auth;
  if (!localAccounts) {
    log("local accounts are off (LOCAL_ACCOUNTS=false): sign in with single sign-on");
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    const existing = await client.query<{ id: string }>("SELECT id FROM auth_user WHERE email = $1 FOR UPDATE", [email]);
    let userId = existing.rows[0]?.id ?? null;
    if (userId && !localAdminPassword) {
      await client.query("UPDATE auth_user SET local = true WHERE id = $1", [userId]);
      await client.query("COMMIT");
      return;
    }
    const password = localAdminPassword ?? randomBytes(15).toString("base64url");
    const hash = await hashPassword(password);
    if (!userId) {
      userId = randomUUID();
      await client.query(
        "INSERT INTO auth_user (id, name, email, email_verified, local, groups, created_at, updated_at) VALUES ($1, 'Local admin', $2, true, true, '[]', now(), now())",
        [userId, email],
      );
    } else {
      await client.query("UPDATE auth_user SET local = true, updated_at = now() WHERE id = $1", [userId]);
    }
    const updated = await client.query("UPDATE auth_account SET password = $1, updated_at = now() WHERE user_id = $2 AND provider_id = 'credential'", [hash, userId]);
    if (updated.rowCount === 0) {
      await client.query(
        "INSERT INTO auth_account (id, account_id, provider_id, user_id, password, created_at, updated_at) VALUES ($1, $2, 'credential', $2, $3, now(), now())",
        [randomUUID(), userId, hash],
      );
    }
    await client.query("COMMIT");
    if (localAdminPassword) log(`local admin ${email}: password from LOCAL_ADMIN_PASSWORD`);
    // Printed once, at creation, by design: the embedded default must be usable at once.
    else log(`local admin created: ${email} / ${password}  (shown once; set LOCAL_ADMIN_PASSWORD to choose it, LOCAL_ACCOUNTS=false to turn local accounts off)`);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
