// Runs the emulator standalone: npx tsx sandbox/servicebus/cli.ts --config file.json --port N
// With --seed (and no --config) it starts the seeded sandbox instead.
import { parseArgs } from "node:util";
import { loadConfig } from "./config";
import { startEmulator } from "./emulator";
import { startServiceBusSandbox } from "./seed";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: "string" }, port: { type: "string" }, host: { type: "string" }, seed: { type: "boolean" } },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0) throw new Error(`--port must be a port number, got ${values.port}`);
  let stop: () => Promise<void>;
  if (values.seed && !values.config) {
    const sandbox = await startServiceBusSandbox({ port });
    console.log(`connection string: ${sandbox.broker.connection.connectionString}`);
    console.log(`admin endpoint:    ${sandbox.adminUrl}`);
    stop = sandbox.stop;
  } else {
    if (!values.config) throw new Error("usage: cli.ts --config file.json [--port N] [--host 127.0.0.1] | --seed [--port N]");
    const emulator = await startEmulator(await loadConfig(values.config), { port, host: values.host });
    console.log(`connection string: ${emulator.connectionString}`);
    console.log(`admin endpoint:    ${emulator.adminUrl}`);
    stop = emulator.stop;
  }
  const shutdown = () => void stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
