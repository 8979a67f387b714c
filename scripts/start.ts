// `npm run dev` / `npm start`: check the configuration, bring up Postgres (embedded when
// DATABASE_URL is absent), apply migrations, start seeded sandbox brokers when none are
// configured, then run Next.js with that environment. Stops everything it started on exit.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { authSecretFor, ensureLocalAdmin } from "@/lib/auth/local-admin";
import { ConfigError, loadConfig, type AppConfig } from "@/lib/config";
import { migrateDatabase } from "@/lib/db/migrate";
import { startEmbeddedPostgres } from "./embedded-postgres";
import { startSandbox } from "./sandbox";

type Mode = "dev" | "start";

const log = (line: string) => console.log(`[console] ${line}`);

function parseMode(argument: string | undefined): Mode {
  if (argument === "dev" || argument === "start") return argument;
  console.error("usage: tsx scripts/start.ts dev|start");
  process.exit(2);
}

function readConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Invalid configuration:\n${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

/** What start-up brought up, stopped in reverse order on exit or on a failed start. */
const cleanups: Array<() => Promise<void>> = [];

async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }
}

async function main(): Promise<void> {
  const mode = parseMode(process.argv[2]);
  const config = readConfig();
  const childEnv: NodeJS.ProcessEnv = { ...process.env };

  if (mode === "start" && !existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) {
    console.error("No production build found: run `npm run build` first (or `npm run dev`).");
    process.exit(1);
  }

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPostgresPort, log);
    cleanups.push(embedded.stop);
    databaseUrl = embedded.databaseUrl;
    childEnv.DATABASE_URL = databaseUrl;
  }
  await migrateDatabase(databaseUrl);
  log("database migrations applied");
  childEnv.AUTH_SECRET = authSecretFor(config, log);
  await ensureLocalAdmin(config, databaseUrl, log);

  if (config.brokers.length === 0 && !config.brokersSource && config.sandbox) {
    const sandbox = await startSandbox(config.dataDir, { rabbitmqVhost: config.sandboxRabbitmqVhost }, log);
    cleanups.push(sandbox.stop);
    childEnv.BROKERS_FILE = sandbox.brokersFile;
  } else {
    log(`${config.brokers.length} broker(s) from ${config.brokersSource ?? "nowhere (set BROKERS_FILE)"}`);
  }

  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  // Stamps each request with its socket peer address (lib/auth/client-ip.ts): Next.js has no other way to tell it.
  childEnv.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--require=${JSON.stringify(path.join(process.cwd(), "scripts", "peer-address.cjs"))}`].filter(Boolean).join(" ");
  const child = spawn(process.execPath, [nextBin, mode, "--port", String(config.port), "--hostname", config.host], {
    env: childEnv,
    stdio: "inherit",
  });
  log(`console on http://localhost:${config.port}`);

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (child.exitCode === null) child.kill("SIGTERM");
    await runCleanups();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  child.on("exit", (code, signal) => void shutdown(code ?? (signal ? 1 : 0)));
}

main().catch(async (error: unknown) => {
  console.error(`[console] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  await runCleanups();
  process.exit(1);
});
