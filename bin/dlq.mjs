#!/usr/bin/env node
// @ts-check
// `npx dlq …`: the dead-letter console's CLI (lib/cli/, docs/cli.md). Node 20+ built-ins only.
import { main } from "../lib/cli/main.mjs";

process.exitCode = await main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
