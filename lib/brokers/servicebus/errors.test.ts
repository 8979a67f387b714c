// Error mapping and retries: SDK errors → BrokerError codes, a namespace that is down reported as
// unavailable with the broker's name, and a call that rides out a restart through backoff.
import { createServer, type AddressInfo } from "node:net";
import { RestError } from "@azure/core-rest-pipeline";
import { ServiceBusError } from "@azure/service-bus";
import { describe, expect, it } from "vitest";
import { emulatorConnectionString, startEmulator } from "@/sandbox/servicebus/emulator";
import { BrokerError } from "../errors";
import { classifyServicebusError, isDevelopmentEmulator } from "./client";
import { createServicebusAdapter } from "./index";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("servicebus error mapping", () => {
  it("maps Service Bus codes, admin HTTP statuses and network errors", () => {
    expect(classifyServicebusError(new ServiceBusError("busy", "ServiceBusy"))).toBe("throttled");
    expect(classifyServicebusError(new ServiceBusError("gone", "MessagingEntityNotFound"))).toBe("not-found");
    expect(classifyServicebusError(new ServiceBusError("no", "UnauthorizedAccess"))).toBe("access-denied");
    expect(classifyServicebusError(new ServiceBusError("net", "ServiceCommunicationProblem"))).toBe("unavailable");
    expect(classifyServicebusError(new ServiceBusError("big", "MessageSizeExceeded"))).toBe("invalid-request");
    expect(classifyServicebusError(new ServiceBusError("lost", "MessageLockLost"))).toBe("broker-error");
    expect(classifyServicebusError(new RestError("throttled", { statusCode: 429 }))).toBe("throttled");
    expect(classifyServicebusError(new RestError("denied", { statusCode: 401 }))).toBe("access-denied");
    expect(classifyServicebusError(new RestError("down", { statusCode: 503 }))).toBe("unavailable");
    expect(classifyServicebusError(new RestError("refused", { code: "ECONNREFUSED" }))).toBe("unavailable");
    expect(classifyServicebusError(new Error("something else"))).toBe("broker-error");
  });

  it("applies the emulator's http downgrade only for UseDevelopmentEmulator=true exactly", () => {
    expect(isDevelopmentEmulator(emulatorConnectionString(5300))).toBe(true);
    expect(isDevelopmentEmulator("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s")).toBe(false);
    expect(isDevelopmentEmulator("Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=s;UseDevelopmentEmulator=True")).toBe(false);
  });
});

describe("servicebus retries with backoff", () => {
  it("reports a namespace that does not answer as unavailable, naming the broker", async () => {
    const port = await freePort();
    const adapter = createServicebusAdapter({
      name: "sb-down",
      connection: { connectionString: emulatorConnectionString(port), retryAttempts: 2, retryBaseMs: 10, operationTimeoutMs: 2000 },
    });
    try {
      const error = await adapter.listDeadLetterQueues().then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(BrokerError);
      expect(error).toMatchObject({ code: "unavailable", transient: true });
      expect((error as BrokerError).message).toContain("sb-down");
    } finally {
      await adapter.close();
    }
  });

  it("rides out a restart of the namespace by backing off and trying again", async () => {
    const port = await freePort();
    const config = { queues: [{ name: "orders" }] };
    const adapter = createServicebusAdapter({
      name: "sb-restart",
      connection: { connectionString: emulatorConnectionString(port), retryAttempts: 6, retryBaseMs: 100, retryCapMs: 400 },
    });
    // Nothing listens yet; the namespace comes up while the adapter is backing off.
    const started = new Promise<Awaited<ReturnType<typeof startEmulator>>>((resolve) => {
      setTimeout(() => void startEmulator(config, { port }).then(resolve), 250);
    });
    try {
      const queues = await adapter.listDeadLetterQueues();
      expect(queues.map((queue) => queue.id)).toEqual(["orders/$DeadLetterQueue"]);
    } finally {
      await adapter.close();
      await (await started).stop();
    }
  });

  it("rides out a lost AMQP connection: a browse after the namespace restarts backs off and succeeds", async () => {
    const config = { queues: [{ name: "orders" }] };
    let emulator = await startEmulator(config);
    const adapter = createServicebusAdapter({
      name: "sb-reconnect",
      connection: { connectionString: emulator.connectionString, retryAttempts: 6, retryBaseMs: 100, retryCapMs: 500, operationTimeoutMs: 3000 },
    });
    try {
      expect((await adapter.browse("orders/$DeadLetterQueue", { limit: 5 })).messages).toEqual([]);
      const { port } = emulator;
      await emulator.stop(); // drops the adapter's connection
      const restarted = new Promise<void>((resolve) => {
        setTimeout(() => void startEmulator(config, { port }).then((next) => { emulator = next; resolve(); }), 300);
      });
      const page = await adapter.browse("orders/$DeadLetterQueue", { limit: 5 });
      await restarted;
      expect(page).toEqual({ messages: [], nextCursor: null, warnings: [] });
    } finally {
      await adapter.close();
      await emulator.stop();
    }
  });
});
