import "server-only";
// A plain pg pool beside the Prisma client, for the few statements a bulk replay lane runs on
// every batch. Prisma's query pipeline costs ~0.7 ms of this process's CPU per statement, on the
// thread that also handles the broker's replies (measured here: 0.85 ms a `$queryRaw` against
// 0.11 ms a `pool.query`; 1.56 ms a one-statement interactive transaction against 0.24 ms), and a
// lane runs about ten a batch. Everything else stays on Prisma. Same database, same DATABASE_URL.
import pg from "pg";
import { getConfig } from "@/lib/config";

const holder = globalThis as typeof globalThis & { deadLetterConsoleSql?: pg.Pool };

/** The process-wide pool, created on first use. Idle connections do not keep the process alive. */
export function sqlPool(): pg.Pool {
  if (holder.deadLetterConsoleSql) return holder.deadLetterConsoleSql;
  const { databaseUrl } = getConfig();
  if (!databaseUrl) {
    throw new Error("No database configured: DATABASE_URL is unset (npm run dev/start sets it for the embedded Postgres).");
  }
  // The timeouts bound a transaction as Prisma's did for these statements (30 s): a stuck one cannot
  // hold the audit chain's lock for longer.
  const pool = new pg.Pool({
    connectionString: databaseUrl, max: 10, idleTimeoutMillis: 10_000, allowExitOnIdle: true,
    statement_timeout: 30_000, idle_in_transaction_session_timeout: 30_000,
  });
  // A connection that breaks while idle is dropped by the pool; the next query opens another. One
  // the server ended (a restart, a dropped database: admin_shutdown) is not worth a line.
  pool.on("error", (error: Error & { code?: string }) => {
    if (error.code !== "57P01") console.error(`postgres pool: idle connection failed: ${error.message}`);
  });
  holder.deadLetterConsoleSql = pool;
  return pool;
}

/** A client inside one transaction: committed when `work` resolves, rolled back when it throws. */
export async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await sqlPool().connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true; // the connection itself failed: do not give it back to the pool
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Close the pool (tests and scripts that end the process cleanly). */
export async function closeSqlPool(): Promise<void> {
  const pool = holder.deadLetterConsoleSql;
  holder.deadLetterConsoleSql = undefined;
  await pool?.end();
}
