// For integration tests: a uniquely named, empty database on the machine's Postgres, dropped
// again by `drop()`. TEST_DATABASE_URL (.env.example) names the admin connection; the default is
// the local server with trust auth, as on developer machines and CI.
import { randomUUID } from "node:crypto";
import pg from "pg";

/** Admin connection: creates and drops the test databases. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function onMaintenanceDatabase(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates `dlc_test_<label>_<random>`; `drop()` removes it even with connections still open. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `dlc_test_${label}_${randomUUID().slice(0, 8)}`;
  await onMaintenanceDatabase(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => onMaintenanceDatabase(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** Runs `work` with a client connected to `url`, closing it afterwards. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
