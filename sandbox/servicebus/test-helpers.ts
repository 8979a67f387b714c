// Shared setup for the emulator tests: start on port 0, and clients that reach it the way the
// adapter will (ServiceBusClient as is; the admin client with a policy that downgrades to http).
import { ServiceBusAdministrationClient, ServiceBusClient } from "@azure/service-bus";
import type { EmulatorConfig } from "./config";
import { startEmulator, type ServiceBusEmulator } from "./emulator";

export interface Harness {
  emulator: ServiceBusEmulator;
  client: ServiceBusClient;
  admin: ServiceBusAdministrationClient;
  close(): Promise<void>;
}

/** The admin client speaks https only; this policy sends its requests to the emulator over http. */
export function emulatorAdminClient(connectionString: string): ServiceBusAdministrationClient {
  const admin = new ServiceBusAdministrationClient(connectionString);
  admin.pipeline.addPolicy({
    name: "servicebus-emulator-http",
    sendRequest: (request, next) => {
      request.url = request.url.replace(/^https:/, "http:");
      request.allowInsecureConnection = true;
      return next(request);
    },
  });
  return admin;
}

export async function startHarness(config: EmulatorConfig): Promise<Harness> {
  const emulator = await startEmulator(config);
  const client = new ServiceBusClient(emulator.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 5000 } });
  const admin = emulatorAdminClient(emulator.connectionString);
  return {
    emulator, client, admin,
    async close() {
      await client.close();
      await emulator.stop();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
