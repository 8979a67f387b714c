// The database side of the offline schema engine: a migration-aware driver adapter factory
// built on @prisma/adapter-pg, with the fixes the Wasm schema engine needs from adapter-pg 7.10.1.
// Each fix below names the trap it avoids; drop it once the pinned adapter-pg no longer has it.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { parseIntoClientConfig } from "pg-connection-string";

const CHAR_OID = 18; // Postgres' one-byte "char" type
const TEXT_OID = 25;

/**
 * Trap: adapter-pg rejects result columns of type "char" ("Unsupported column type char"), and
 * the engine's catalogue queries read several (pg_class.relkind, pg_constraint.contype, ...).
 * Their text form is a one-character string, so relabelling them as text is exact.
 */
function relabelCharColumns(result) {
  for (const single of Array.isArray(result) ? result : [result]) {
    for (const field of single?.fields ?? []) {
      if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

class CatalogFriendlyClient extends pg.Client {
  query(...args) {
    const callback = args.at(-1);
    if (typeof callback === "function") {
      // pg.Pool#query calls its client in callback style.
      args[args.length - 1] = (error, result) => callback(error, error ? result : relabelCharColumns(result));
      return super.query(...args);
    }
    const pending = super.query(...args);
    return typeof pending?.then === "function" ? pending.then(relabelCharColumns) : pending;
  }
}

/**
 * Trap: passing `connectionString` to pg makes it win over `database`, so a shadow database
 * configured from the main URL silently connects to the main database. Always hand pg discrete
 * fields (host, port, user, database, ssl, ...) parsed once from the URL.
 */
export function connectionConfigFromUrl(url) {
  const { connectionString: _ignored, ...config } = parseIntoClientConfig(url);
  return config;
}

async function connectAdapter(config) {
  // max 1: the native engine works on a single connection, and the engine's session-level
  // advisory lock (pg_advisory_lock) must be taken and held on the connection it migrates with.
  const pool = new pg.Pool({ ...config, max: 1, Client: CatalogFriendlyClient });
  const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
  // Trap: adapter-pg's executeScript splits the script on ";", which breaks `$$` function
  // bodies and string literals with semicolons. A query without parameters goes over the simple
  // query protocol, which runs a multi-statement script as one unit, as the native engine does;
  // going through executeRaw keeps adapter-pg's error mapping.
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

async function withMaintenanceClient(config, work) {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const quoteIdentifier = (name) => `"${name.replaceAll('"', '""')}"`;

/**
 * A fresh, empty shadow database next to the main one, dropped on dispose.
 * Trap: adapter-pg's own connectToShadowDb drops the database before closing its pool, which
 * Postgres refuses ("is being accessed by other users") and leaks the database. Close first.
 */
async function connectTemporaryShadowDatabase(mainConfig) {
  const database = `prisma_migrate_shadow_db_${randomUUID()}`;
  await withMaintenanceClient(mainConfig, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(database)}`));
  let adapter;
  try {
    adapter = await connectAdapter({ ...mainConfig, database });
  } catch (error) {
    await withMaintenanceClient(mainConfig, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`));
    throw error;
  }
  const closePool = adapter.dispose.bind(adapter);
  let disposed = null;
  adapter.dispose = () => {
    disposed ??= (async () => {
      await closePool();
      await withMaintenanceClient(mainConfig, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`));
      undisposedShadows.delete(adapter);
    })();
    return disposed;
  };
  undisposedShadows.add(adapter);
  return adapter;
}

// Some engine error paths return without disposing the shadow database they were using.
const undisposedShadows = new Set();

/** Drops the temporary shadow databases the engine left behind; call before exiting. */
export async function disposeLeftoverShadowDatabases() {
  await Promise.allSettled([...undisposedShadows].map((adapter) => adapter.dispose()));
}

/**
 * The adapter factory handed to the Wasm engine, for `datasource` as prisma.config.ts gives it:
 * `{ url, shadowDatabaseUrl? }`. With a shadowDatabaseUrl the engine uses that database as is;
 * without one, each shadow database is created and dropped around its use.
 */
export function createMigrationAdapterFactory(datasource) {
  // Without a URL the engine still serves what needs no database (diffs between schema files).
  const missingUrl = () => Promise.reject(new Error("No datasource URL: set DATABASE_URL (read by prisma.config.ts)."));
  const mainConfig = datasource?.url ? connectionConfigFromUrl(datasource.url) : null;
  const shadowConfig = datasource?.shadowDatabaseUrl ? connectionConfigFromUrl(datasource.shadowDatabaseUrl) : null;
  return bindMigrationAwareSqlAdapterFactory({
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => (mainConfig ? connectAdapter(mainConfig) : missingUrl()),
    connectToShadowDb: () => {
      if (shadowConfig) return connectAdapter(shadowConfig);
      return mainConfig ? connectTemporaryShadowDatabase(mainConfig) : missingUrl();
    },
  });
}
