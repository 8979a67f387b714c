import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "./migrate";
import { createTestDatabase, withClient, type TestDatabase } from "./test-database";

const migrationNames = readdirSync(path.join(process.cwd(), "prisma", "migrations"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

async function appliedMigrations(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ migration_name: string }>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name",
    );
    return rows.map((row) => row.migration_name);
  });
}

async function publicTables(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    return rows.map((row) => row.table_name);
  });
}

describe("migrateDatabase", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase("migrate");
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("applies every migration to an empty database", async () => {
    expect(migrationNames.length).toBeGreaterThan(0);
    expect(await publicTables(database.url)).toEqual([]);

    await migrateDatabase(database.url);

    expect(await appliedMigrations(database.url)).toEqual(migrationNames);
    expect(await publicTables(database.url)).toEqual(expect.arrayContaining(["_prisma_migrations", "depth_sample"]));
  });

  it("is idempotent: a second run applies nothing and changes nothing", async () => {
    const before = await withClient(database.url, (client) =>
      client.query("SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name"),
    );
    await migrateDatabase(database.url);
    const after = await withClient(database.url, (client) =>
      client.query("SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name"),
    );
    expect(after.rows).toEqual(before.rows);
  });

  it("leaves `prisma migrate status` reporting the database up to date", async () => {
    const prisma = path.join(process.cwd(), "node_modules", "prisma", "build", "index.js");
    const { stdout } = await promisify(execFile)(process.execPath, [prisma, "migrate", "status"], {
      env: { ...process.env, DATABASE_URL: database.url },
    });
    expect(stdout).toContain(`${migrationNames.length} migration`);
    expect(stdout).toContain("Database schema is up to date!");
  });

  it("throws with the CLI's output when the database cannot be reached", async () => {
    const unreachable = "postgresql://postgres@127.0.0.1:1/nowhere";
    await expect(migrateDatabase(unreachable)).rejects.toThrow(/prisma migrate deploy failed[\s\S]*127\.0\.0\.1:1/);
  });

  it("keeps the database password out of its error", async () => {
    const withPassword = "postgresql://postgres:s3cret-pw@127.0.0.1:1/nowhere";
    const error = await migrateDatabase(withPassword).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain("s3cret-pw");
  });
});
