// Errors name the broker and the cause: refused credentials, an unreachable broker (after backoff).
import { describe, expect, it } from "vitest";
import { BrokerError } from "../errors";
import { backoffDelay } from "./connection";
import { createRabbitmqAdapter } from "./index";
import type { RabbitmqOptions } from "./options";

const adapterWith = (connection: Partial<RabbitmqOptions>) =>
  createRabbitmqAdapter({ name: "rabbit-errors", connection: { connectAttempts: 3, backoffBaseMs: 20, backoffCapMs: 100, ...connection } as RabbitmqOptions });

async function failure(promise: Promise<unknown>): Promise<BrokerError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(BrokerError);
  return error as BrokerError;
}

describe("rabbitmq adapter errors", () => {
  it("backs off exponentially up to the cap, plus jitter under the base", () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const delay = backoffDelay(attempt, 100, 1000);
      expect(delay).toBeGreaterThanOrEqual(Math.min(1000, 100 * 2 ** attempt));
      expect(delay).toBeLessThan(Math.min(1000, 100 * 2 ** attempt) + 100);
    }
  });

  it("maps refused AMQP credentials to access-denied, naming the broker", async () => {
    const adapter = adapterWith({ url: "amqp://guest:wrong@127.0.0.1:5672", managementUrl: "http://guest:guest@127.0.0.1:15672" });
    const error = await failure(adapter.purge("some-dlq"));
    expect(error.code).toBe("access-denied");
    expect(error.message).toContain("rabbit-errors");
    await adapter.close();
  });

  it("maps refused management credentials to access-denied", async () => {
    const adapter = adapterWith({ url: "amqp://guest:wrong@127.0.0.1:5672" });
    expect((await failure(adapter.listDeadLetterQueues())).code).toBe("access-denied");
    await adapter.close();
  });

  it("reports an unreachable broker as unavailable after retrying with backoff", async () => {
    const adapter = adapterWith({ url: "amqp://guest:guest@127.0.0.1:1", managementUrl: "http://127.0.0.1:1" });
    const started = Date.now();
    const error = await failure(adapter.purge("some-dlq"));
    expect(error.code).toBe("unavailable");
    expect(error.transient).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40); // two backoff waits
    expect((await failure(adapter.listDeadLetterQueues())).code).toBe("unavailable");
    await adapter.close();
  });
});
