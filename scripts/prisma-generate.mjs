#!/usr/bin/env node
// `postinstall`: generates the Prisma client (node_modules/.prisma/client) right after
// `npm install` / `npm ci`, offline. The prisma CLI checks for its native schema engine on every
// command and would try to download it; pointing PRISMA_SCHEMA_ENGINE_BINARY at the stand-in
// (prisma.config.ts does the same) skips that download. Generating needs no database.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(path.join(projectDir, "package.json"));
const prismaCli = path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");

const env = { ...process.env, CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE ?? "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && process.platform !== "win32") {
  env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(projectDir, "scripts", "prisma-schema-engine.mjs");
}

const result = spawnSync(process.execPath, [prismaCli, "generate", "--config", path.join(projectDir, "prisma.config.ts")], {
  cwd: projectDir,
  env,
  stdio: "inherit",
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
