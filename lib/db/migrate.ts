// Applies the migrations in prisma/migrations with the real `prisma migrate deploy`, so start-up and
// tests run exactly what an operator would. Imported by scripts/start.ts (tsx) and the tests, so
// it carries no "server-only" marker.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

/** The project root: the launcher and the tests run from it. */
const projectDir = () => process.cwd();

function prismaCliPath(root: string): string {
  const require = createRequire(path.join(root, "package.json"));
  return path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");
}

/** Hides the password of `databaseUrl` wherever the CLI's output repeats it (rule 9). */
function redact(output: string, databaseUrl: string): string {
  let password = "";
  try {
    password = decodeURIComponent(new URL(databaseUrl).password);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error; // not a URL: nothing to hide but the URL itself
  }
  let redacted = output.replaceAll(databaseUrl, "<DATABASE_URL>");
  if (password) redacted = redacted.replaceAll(password, "<password>");
  return redacted;
}

/** Applies pending migrations to `databaseUrl`; throws with the CLI's output if that fails. */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  const root = projectDir();
  const args = [prismaCliPath(root), "migrate", "deploy", "--config", path.join(root, "prisma.config.ts")];
  // prisma.config.ts reads DATABASE_URL and points the CLI at the offline schema engine.
  const env = { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1", NO_COLOR: "1" };

  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (exitCode) => resolve({ code: exitCode, output: Buffer.concat(chunks).toString("utf8") }));
  });

  if (code !== 0) {
    throw new Error(`prisma migrate deploy failed (exit code ${code}):\n${redact(output, databaseUrl).trim()}`);
  }
}
