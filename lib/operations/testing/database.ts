// For integration tests of lib/audit and lib/operations: a fresh, migrated Postgres database per
// test file, wired in as the app's DATABASE_URL before db() first runs.
import { afterAll, beforeAll } from "vitest";
import { db } from "@/lib/db/client";
import { closeSqlPool } from "@/lib/db/sql";
import { migrateDatabase } from "@/lib/db/migrate";
import { createTestDatabase, withClient, type TestDatabase } from "@/lib/db/test-database";

export interface TestDb {
  /** The database's URL, once beforeAll has run. */
  url(): string;
  /** Run raw SQL as the admin (superuser) role, e.g. to tamper with the audit log. */
  sql(text: string, values?: unknown[]): Promise<Array<Record<string, unknown>>>;
}

/** Register beforeAll/afterAll hooks that create, migrate and drop the file's database. */
export function setupTestDatabase(label: string): TestDb {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(label);
    await migrateDatabase(database.url);
    // lib/config reads the environment once, on first use: set it before db() runs.
    process.env.DATABASE_URL = database.url;
  }, 120_000);
  afterAll(async () => {
    await db().$disconnect();
    await closeSqlPool();
    await database?.drop();
  });
  return {
    url: () => database!.url,
    sql: (text, values = []) => withClient(database!.url, async (client) => (await client.query(text, values)).rows),
  };
}
