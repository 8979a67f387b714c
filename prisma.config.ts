// Configuration of the prisma CLI (generate, migrate, db). Loaded by the CLI before it looks for
// its native schema engine, so the offline stand-in set here is what it finds: see
// docs/database.md. Tooling, not app code: the app reads DATABASE_URL through lib/config.
import path from "node:path";
import { defineConfig } from "prisma/config";

const projectDir = import.meta.dirname;

// The native engine is a download this project cannot make (only the npm registry is reachable);
// the stand-in runs the same engine compiled to WebAssembly. A user's own setting wins. Windows
// cannot exec a script directly, so there the CLI keeps its usual binary.
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && process.platform !== "win32") {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(projectDir, "scripts", "prisma-schema-engine.mjs");
}
// No update check against Prisma's servers: offline it can only fail or stall.
process.env.CHECKPOINT_DISABLE ??= "1";

export default defineConfig({
  schema: path.join(projectDir, "prisma", "schema.prisma"),
  migrations: { path: path.join(projectDir, "prisma", "migrations") },
  // Absent for `prisma generate` on a fresh install; migrate commands then say it is required.
  datasource: { url: process.env.DATABASE_URL },
});
