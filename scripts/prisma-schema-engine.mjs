#!/usr/bin/env node
// A stand-in for Prisma's native schema-engine binary, which the prisma CLI (7.10) downloads on
// first use and which cannot be downloaded here (only the npm registry is reachable).
// prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY at this file. It speaks the binary's
// protocol: newline-delimited JSON-RPC 2.0 on stdin/stdout, JSON log lines on stderr, and the
// `cli can-connect-to-database|create-database` one-shot commands. Requests are served by the
// Wasm build of the same engine (prisma-engine-wasm.mjs) over @prisma/adapter-pg
// (prisma-engine-adapter.mjs). Postgres only: that is the console's database.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { createMigrationAdapterFactory, disposeLeftoverShadowDatabases } from "./prisma-engine-adapter.mjs";
import { createDatabase, runCliCommand } from "./prisma-engine-cli.mjs";
import { loadSchemaEngineWasm } from "./prisma-engine-wasm.mjs";

/** The arguments the CLI passes: `--datamodels <file>`... `--datasource <json>` [`cli <command>`]. */
function parseArguments(argv) {
  const parsed = { datamodelPaths: [], datasource: null, cliCommand: null, version: false };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === "--datamodels" || argument === "-d") parsed.datamodelPaths.push(argv[++index]);
    else if (argument === "--datasource") parsed.datasource = JSON.parse(argv[++index]);
    else if (argument === "--enabled-preview-features" || argument === "--extension-types") index++; // Postgres needs neither
    else if (argument === "--version" || argument === "-V") parsed.version = true;
    else if (argument === "cli") parsed.cliCommand = argv[++index] ?? "";
  }
  return parsed;
}

// The native engine logs JSON lines on stderr, filtered by RUST_LOG (the CLI sets "info"); the
// CLI keeps their messages to explain a non-zero exit.
const LOG_LEVELS = ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"];
const logThreshold = (() => {
  const words = (process.env.RUST_LOG ?? "info").toUpperCase().split(/[^A-Z]+/);
  const levels = words.map((word) => LOG_LEVELS.indexOf(word)).filter((level) => level >= 0);
  return levels.length > 0 ? Math.max(...levels) : LOG_LEVELS.indexOf("INFO");
})();

function forwardEngineLog(line) {
  let level = "INFO";
  try {
    level = JSON.parse(line).level ?? level;
  } catch {
    // not JSON: forward as it is, at INFO
  }
  if (LOG_LEVELS.indexOf(level) <= logThreshold) process.stderr.write(`${line.trimEnd()}\n`);
}

function send(message) {
  process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
}

// The Wasm engine reports a Rust panic here just before it aborts with a RuntimeError.
let panicMessage = null;
globalThis.PRISMA_WASM_PANIC_REGISTRY = {
  set_message(message) {
    panicMessage = message;
  },
};

class EngineSession {
  constructor({ datamodelPaths, datasource }) {
    this.datasource = datasource;
    this.datamodels = datamodelPaths.map((file) => [file, readFileSync(file, "utf8")]);
    this.adapterFactory = createMigrationAdapterFactory(datasource);
    this.enginePromise = null;
    this.printRequestId = 0;
  }

  engine() {
    this.enginePromise ??= loadSchemaEngineWasm().then(({ SchemaEngine }) =>
      SchemaEngine.new(
        // The engine wants `undefined` or a non-empty list.
        { datamodels: this.datamodels.length > 0 ? this.datamodels : undefined },
        forwardEngineLog,
        this.adapterFactory,
      ),
    );
    return this.enginePromise;
  }

  async call(method, params) {
    switch (method) {
      case "createDatabase":
        return { databaseName: await createDatabase(this.urlFor(params?.datasource)) };
      case "getDatabaseVersion":
        return (await this.engine()).version(params ?? null);
      case "diff": {
        // The native engine streams the diff to the CLI with a `print` request; the Wasm one
        // returns it. The CLI prints `content` plus a newline.
        const { exitCode, stdout } = await (await this.engine()).diff(params);
        if (stdout) send({ id: `print-${++this.printRequestId}`, method: "print", params: { content: stdout.replace(/\n$/, "") } });
        return { exitCode };
      }
      case "createMigration":
      case "evaluateDataLoss":
        return this.withMigrationsSchemaCached(method, params);
      case "applyMigrations":
      case "dbExecute":
      case "debugPanic":
      case "devDiagnostic":
      case "diagnoseMigrationHistory":
      case "ensureConnectionValidity":
      case "introspect":
      case "introspectSql":
      case "markMigrationApplied":
      case "markMigrationRolledBack":
      case "reset":
      case "schemaPush": {
        const engine = await this.engine();
        // Call through the instance: a detached method loses its Wasm pointer.
        return engine[method](params);
      }
      default:
        throw Object.assign(new Error(`Unknown method: ${method}`), { rpcCode: -32601 });
    }
  }

  /**
   * Engine gap: in Wasm, createMigration and evaluateDataLoss get no shadow database; they read
   * the schema of the migration history from a cache that devDiagnostic fills. When the CLI
   * applied migrations in between (`migrate dev` on a database that was behind), the cache
   * misses and the engine fails. Filling it with diagnoseMigrationHistory, which does get a
   * shadow database, and asking again mends that; both calls only read, so the retry is safe.
   */
  async withMigrationsSchemaCached(method, params) {
    const engine = await this.engine();
    try {
      return await engine[method](params);
    } catch (error) {
      if (!/shadow DB must be provided through an external factory/.test(String(error?.message))) throw error;
      await engine.diagnoseMigrationHistory({
        migrationsList: params.migrationsList,
        optInToShadowDatabase: true,
        filters: params.filters,
      });
      return engine[method](params);
    }
  }

  urlFor(datasource) {
    if (datasource?.tag === "ConnectionString") return datasource.url;
    if (this.datasource?.url) return this.datasource.url;
    throw new Error("No datasource URL: set DATABASE_URL (read by prisma.config.ts).");
  }

  /** The original JS error behind a `GenericJs` driver adapter error, if there is one. */
  adapterErrorBehind(error) {
    const id = /GenericJs[^0-9]*(\d+)/.exec(String(error?.message))?.[1];
    return id === undefined ? null : (this.adapterFactory.errorRegistry.consumeError(Number(id))?.error ?? null);
  }
}

/** A JSON-RPC error shaped like the native engine's, which is what the CLI parses. */
function toRpcError(error, session) {
  if (panicMessage !== null || error instanceof WebAssembly.RuntimeError) {
    const message = panicMessage ?? String(error);
    return { code: 4466, message, data: { is_panic: true, message, backtrace: error?.stack ?? null } };
  }
  if (error?.rpcCode) return { code: error.rpcCode, message: error.message };
  const cause = session.adapterErrorBehind(error);
  const message = cause ? `${error.message}\n${cause.message ?? String(cause)}` : (error?.message ?? String(error));
  const data = { is_panic: false, message, meta: error?.meta ?? null };
  if (typeof error?.code === "string" && /^P\d{4}$/.test(error.code)) data.error_code = error.code;
  return { code: 4466, message: "An error happened. Check the data field for details.", data };
}

function serveJsonRpc(session) {
  const inFlight = new Set();
  const input = createInterface({ input: process.stdin, crlfDelay: Infinity });

  input.on("line", (line) => {
    if (line.trim() === "") return;
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      send({ id: null, error: { code: -32700, message: `Parse error: ${line.slice(0, 200)}` } });
      return;
    }
    if (request.method === undefined) return; // the CLI's acknowledgement of a `print`
    const handled = session
      .call(request.method, request.params)
      .then((result) => send({ id: request.id, result: result ?? null }))
      .catch((error) => {
        send({ id: request.id, error: toRpcError(error, session) });
        // After a panic the Wasm instance is unusable; exit like the native engine (101).
        if (panicMessage !== null || error instanceof WebAssembly.RuntimeError) process.exit(101);
      })
      .finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  });

  // The CLI stops the engine by closing stdin and, right after, sending SIGTERM (not on
  // Windows). Either way: let what was asked finish, drop leftover shadow databases, exit.
  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      await Promise.allSettled([...inFlight]);
      await disposeLeftoverShadowDatabases();
      process.exit(0);
    })();
  };
  input.on("close", stop);
  process.on("SIGTERM", stop);
}

const options = parseArguments(process.argv.slice(2));
if (options.version) {
  const { version } = await loadSchemaEngineWasm();
  process.stdout.write(`schema-engine-cli ${version()} (wasm stand-in)\n`);
} else if (options.cliCommand !== null) {
  await runCliCommand(options.cliCommand, options.datasource);
} else {
  serveJsonRpc(new EngineSession(options));
}
