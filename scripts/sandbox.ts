// Starts the sandbox brokers and writes a brokers file for them, so a console with no
// configuration shows real dead letters at once. Each broker is a real server (RabbitMQ on this
// machine) or a protocol-level emulator (SQS, Service Bus), never a fake adapter.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

interface SandboxBroker {
  readonly broker: { readonly name: string; readonly kind: string } & Record<string, unknown>;
  stop(): Promise<void>;
}

export interface RunningSandbox {
  /** Path of the generated brokers file. */
  readonly brokersFile: string;
  /** Names of the brokers that started. */
  readonly started: readonly string[];
  stop(): Promise<void>;
}

export interface SandboxOptions {
  /** RabbitMQ vhost to (re)create and seed on the local broker. */
  readonly rabbitmqVhost: string;
}

/** Each sandbox broker, loaded lazily so one missing or failing broker does not stop the others. */
const SANDBOX_BROKERS: ReadonlyArray<{ label: string; start: (options: SandboxOptions) => Promise<SandboxBroker> }> = [
  {
    label: "RabbitMQ",
    start: async (options) => (await import("../sandbox/rabbitmq/seed")).startRabbitmqSandbox({ vhost: options.rabbitmqVhost }),
  },
  { label: "SQS", start: async () => (await import("../sandbox/sqs/seed")).startSqsSandbox() },
  { label: "Service Bus", start: async () => (await import("../sandbox/servicebus/seed")).startServiceBusSandbox() },
];

/** Start every sandbox broker that can start; write their connections to <dataDir>/sandbox-brokers.json. */
export async function startSandbox(dataDir: string, options: SandboxOptions, log: (line: string) => void): Promise<RunningSandbox> {
  const results = await Promise.allSettled(SANDBOX_BROKERS.map((entry) => entry.start(options)));
  const running: SandboxBroker[] = [];
  results.forEach((result, index) => {
    const label = SANDBOX_BROKERS[index]!.label;
    if (result.status === "fulfilled") {
      running.push(result.value);
      log(`sandbox ${label}: seeded (${result.value.broker.name})`);
    } else {
      const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
      log(`sandbox ${label}: not started: ${reason}`);
    }
  });

  mkdirSync(dataDir, { recursive: true });
  const brokersFile = path.join(dataDir, "sandbox-brokers.json");
  writeFileSync(brokersFile, JSON.stringify({ brokers: running.map((entry) => entry.broker) }, null, 2) + "\n", { mode: 0o600 });
  return {
    brokersFile,
    started: running.map((entry) => entry.broker.name),
    stop: async () => {
      await Promise.allSettled(running.map((entry) => entry.stop()));
    },
  };
}
