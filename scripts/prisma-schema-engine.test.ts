// Drives the stand-in schema engine the way the prisma CLI does: JSON-RPC over stdio, and the
// `cli` one-shot commands. The end-to-end path (CLI -> stand-in) is covered by lib/db/migrate.test.ts.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_URL, createTestDatabase, withClient, type TestDatabase } from "@/lib/db/test-database";

const ENGINE = path.join(process.cwd(), "scripts", "prisma-schema-engine.mjs");
const NO_FILTER = { externalTables: [], externalEnums: [] };

interface RpcResponse {
  id: number | string;
  result?: unknown;
  error?: { code: number; message: string; data?: { is_panic: boolean; message: string; error_code?: string } };
}

/** One engine process, as the CLI runs it. */
class EngineProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, (response: RpcResponse) => void>();
  readonly printed: string[] = [];
  private nextId = 1;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [ENGINE, ...args], { env: { ...process.env, RUST_LOG: "info" } });
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const message = JSON.parse(line) as RpcResponse & { method?: string; params?: { content: string } };
      if (message.method === "print") {
        this.printed.push(message.params?.content ?? "");
        this.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: message.id, result: {} })}\n`);
        return;
      }
      this.pending.get(Number(message.id))?.(message);
    });
  }

  request(method: string, params?: unknown): Promise<RpcResponse> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });
  }

  async result<T>(method: string, params?: unknown): Promise<T> {
    const response = await this.request(method, params);
    if (response.error) throw new Error(`${method}: ${JSON.stringify(response.error)}`);
    return response.result as T;
  }

  /** Closes stdin like the CLI's stop() and resolves with the exit code. */
  stop(): Promise<number | null> {
    return new Promise((resolve) => {
      this.child.on("exit", (code) => resolve(code));
      this.child.stdin.end();
    });
  }
}

function migrationsList(baseDir: string, migrations: Record<string, string>) {
  return {
    baseDir,
    lockfile: { path: "migration_lock.toml", content: null },
    shadowDbInitScript: "",
    migrationDirectories: Object.entries(migrations).map(([name, sql]) => ({
      path: name,
      migrationFile: { path: "migration.sql", content: { tag: "ok", value: sql } },
    })),
  };
}

async function shadowDatabases(): Promise<string[]> {
  return withClient(ADMIN_URL, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'",
    );
    return rows.map((row) => row.datname);
  });
}

const SCHEMA = `datasource db {
  provider = "postgresql"
}

model Note {
  id   Int    @id
  body String
}
`;

const FIRST_MIGRATION = `CREATE TABLE "Note" ("id" INTEGER NOT NULL, "body" TEXT NOT NULL, CONSTRAINT "Note_pkey" PRIMARY KEY ("id"));

-- A function body with semicolons, and a literal with one: adapter-pg's executeScript would split these.
CREATE FUNCTION note_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.body := NEW.body || '; touched';
  RETURN NEW;
END;
$$;
CREATE TRIGGER note_touch BEFORE INSERT ON "Note" FOR EACH ROW EXECUTE FUNCTION note_touch();
`;

describe("prisma-schema-engine stand-in", () => {
  let database: TestDatabase;
  let workDir: string;
  let engine: EngineProcess | null = null;

  beforeAll(async () => {
    database = await createTestDatabase("engine");
    workDir = mkdtempSync(path.join(tmpdir(), "dlc-engine-"));
    writeFileSync(path.join(workDir, "schema.prisma"), SCHEMA);
  });
  afterEach(async () => {
    await engine?.stop();
    engine = null;
  });
  afterAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    await database?.drop();
  });

  const start = () => {
    engine = new EngineProcess(["--datamodels", path.join(workDir, "schema.prisma"), "--datasource", JSON.stringify({ url: database.url })]);
    return engine;
  };

  it("reports the engine build the prisma CLI was released with", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [ENGINE, "--version"]);
    const enginesVersion = JSON.parse(readFileSync(path.join(process.cwd(), "node_modules/@prisma/engines-version/package.json"), "utf8"))
      .prisma.enginesVersion as string;
    expect(stdout.trim()).toBe(`schema-engine-cli ${enginesVersion} (wasm stand-in)`);
  });

  it("answers `cli can-connect-to-database` with P1003 for a missing database, after one start-up line", async () => {
    const url = database.url.replace(database.name, `${database.name}_missing`);
    const run = promisify(execFile)(process.execPath, [ENGINE, "--datasource", JSON.stringify({ url }), "cli", "can-connect-to-database"]);
    const failure = (await run.then(() => null, (error: unknown) => error)) as { code: number; stderr: string } | null;
    expect(failure?.code).toBe(1);
    const lines = failure!.stderr.trim().split("\n").map((line) => JSON.parse(line) as { level: string; fields: Record<string, string> });
    // The CLI drops the first stderr line before it looks for the error.
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.slice(1)).toContainEqual(expect.objectContaining({ level: "ERROR", fields: expect.objectContaining({ error_code: "P1003" }) }));
  });

  it("creates a missing database with `cli create-database`", async () => {
    const name = `${database.name}_created`;
    const url = database.url.replace(database.name, name);
    const datasource = JSON.stringify({ url });
    try {
      await promisify(execFile)(process.execPath, [ENGINE, "--datasource", datasource, "cli", "create-database"]);
      await promisify(execFile)(process.execPath, [ENGINE, "--datasource", datasource, "cli", "can-connect-to-database"]);
    } finally {
      await withClient(ADMIN_URL, (client) => client.query(`DROP DATABASE IF EXISTS "${name}"`));
    }
  });

  it("applies a migration with $$ bodies as one script", async () => {
    const rpc = start();
    const list = migrationsList(workDir, { "20260101000000_init": FIRST_MIGRATION });
    const applied = await rpc.result<{ appliedMigrationNames: string[] }>("applyMigrations", { migrationsList: list, filters: NO_FILTER });
    expect(applied.appliedMigrationNames).toEqual(["20260101000000_init"]);

    const body = await withClient(database.url, (client) => client.query<{ body: string }>(`INSERT INTO "Note" VALUES (1, 'x') RETURNING body`));
    expect(body.rows[0]?.body).toBe("x; touched");
    expect(await rpc.stop()).toBe(0);
    engine = null;
  });

  it("diagnoses history and drafts the next migration on a shadow database it then drops", async () => {
    const shadowsBefore = await shadowDatabases();
    const rpc = start();
    const list = migrationsList(workDir, { "20260101000000_init": FIRST_MIGRATION });

    // Reads catalogue columns of type "char": adapter-pg alone rejects those.
    const diagnostic = await rpc.result<{ action: { tag: string } }>("devDiagnostic", { migrationsList: list, filters: NO_FILTER });
    expect(diagnostic.action.tag).toBe("createMigration");

    const nextSchema = `${SCHEMA}\nmodel Tag {\n  id Int @id\n}\n`;
    const created = await rpc.result<{ migrationScript: string | null }>("createMigration", {
      draft: true,
      migrationName: "add_tag",
      migrationsList: list,
      schema: { files: [{ path: "schema.prisma", content: nextSchema }] },
      filters: NO_FILTER,
    });
    expect(created.migrationScript).toContain('CREATE TABLE "Tag"');
    expect(created.migrationScript).not.toContain('"Note"');

    expect(await rpc.stop()).toBe(0);
    engine = null;
    const leftover = (await shadowDatabases()).filter((name) => !shadowsBefore.includes(name));
    expect(leftover).toEqual([]);
  });

  it("prints a diff through the CLI's `print` request", async () => {
    const rpc = start();
    const result = await rpc.result<{ exitCode: number }>("diff", {
      from: { tag: "empty" },
      to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: SCHEMA }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    expect(result.exitCode).toBe(0);
    expect(rpc.printed.join("\n")).toContain('CREATE TABLE "Note"');
  });

  it("returns a failing migration's database error to the caller", async () => {
    const broken = path.join(workDir, "broken");
    mkdirSync(broken, { recursive: true });
    const rpc = start();
    const list = migrationsList(broken, {
      "20260101000000_init": FIRST_MIGRATION,
      "20260102000000_broken": "SELECT 1/0;",
    });
    const response = await rpc.request("applyMigrations", { migrationsList: list, filters: NO_FILTER });
    expect(response.error?.data?.is_panic).toBe(false);
    expect(response.error?.data?.message).toContain("division by zero");
  });

  it("rejects a method it does not know", async () => {
    const response = await start().request("noSuchMethod", {});
    expect(response.error?.code).toBe(-32601);
  });
});
