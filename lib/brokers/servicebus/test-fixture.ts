// Test fixture: the Service Bus emulator in-process on port 0, and helpers that drive it through
// the real SDK only (dead-lettering the way a consumer does, reading entities back).
import { randomUUID } from "node:crypto";
import {
  ServiceBusClient, type ServiceBusMessage, type ServiceBusReceivedMessage, type ServiceBusReceiver, type ServiceBusReceiverOptions,
} from "@azure/service-bus";
import Long from "long";
import type { EmulatorConfig } from "@/sandbox/servicebus/config";
import { startEmulator, type ServiceBusEmulator } from "@/sandbox/servicebus/emulator";
import type { ContractFixture, SeedMessage } from "../testing/contract";
import { createServicebusAdapter } from "./index";
import type { ServicebusOptionsInput } from "./options";
import type { BrokerAdapter } from "../types";

export interface ServicebusFixture {
  readonly emulator: ServiceBusEmulator;
  /** An SDK client of its own, for seeding and checking, separate from the adapter's. */
  readonly client: ServiceBusClient;
  readonly adapter: BrokerAdapter;
  /** Send to a queue or topic, receive from `from` in peek-lock and dead-letter each, in order. */
  deadLetter(to: string, from: Receivable, messages: readonly ServiceBusMessage[], reason?: string): Promise<void>;
  /** Every message now in an entity (peek from sequence number 0), without changing it. */
  peekAll(from: Receivable, subQueue?: "deadLetter"): Promise<ServiceBusReceivedMessage[]>;
  /** Receive and complete everything in an entity (sessions: every session). */
  drain(from: Receivable, options?: { sessions?: boolean }): Promise<ServiceBusReceivedMessage[]>;
  cleanup(): Promise<void>;
}

/** A queue name, or [topic, subscription]. */
export type Receivable = string | readonly [string, string];

const receiverOf = (client: ServiceBusClient, from: Receivable, options: ServiceBusReceiverOptions): ServiceBusReceiver =>
  typeof from === "string" ? client.createReceiver(from, options) : client.createReceiver(from[0], from[1], options);

export async function createServicebusFixture(config: EmulatorConfig, adapterOptions: Partial<ServicebusOptionsInput> = {}): Promise<ServicebusFixture> {
  const emulator = await startEmulator(config);
  const fixture = fixtureOn(emulator.connectionString, adapterOptions, () => emulator.stop());
  return { ...fixture, emulator };
}

/**
 * The fixture's helpers on any namespace reachable by connection string (the emulator, or a real
 * Azure namespace for the live contract run); `stop` runs last in cleanup.
 */
export function fixtureOn(
  connectionString: string,
  adapterOptions: Partial<ServicebusOptionsInput>,
  stop: () => Promise<void>,
  retry: { maxRetries: number; timeoutInMs: number } = { maxRetries: 1, timeoutInMs: 10_000 },
): Omit<ServicebusFixture, "emulator"> {
  const client = new ServiceBusClient(connectionString, { retryOptions: retry });
  const adapter = createServicebusAdapter({
    name: `test-sb-${randomUUID().slice(0, 8)}`,
    connection: { receiveWaitMs: 300, retryBaseMs: 20, retryAttempts: 2, ...adapterOptions, connectionString },
  });
  const options = { skipParsingBodyAsJson: true, skipConvertingDate: true } as const;

  return {
    client,
    adapter,
    async deadLetter(to, from, messages, reason = "ContractTest") {
      const sender = client.createSender(to);
      const receiver = receiverOf(client, from, { ...options, receiveMode: "peekLock" });
      try {
        // One at a time, so the DLQ holds them in this order.
        for (const message of messages) {
          await sender.sendMessages(message);
          const [received] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
          if (!received) throw new Error(`fixture: nothing to receive after sending to ${to}`);
          await receiver.deadLetterMessage(received, { deadLetterReason: reason, deadLetterErrorDescription: `${reason} for ${String(received.messageId)}` });
        }
      } finally {
        await sender.close();
        await receiver.close();
      }
    },
    async peekAll(from, subQueue) {
      const receiver = receiverOf(client, from, { ...options, ...(subQueue ? { subQueueType: subQueue } : {}) });
      try {
        return await receiver.peekMessages(10_000, { fromSequenceNumber: Long.ZERO });
      } finally {
        await receiver.close();
      }
    },
    async drain(from, drainOptions = {}) {
      const received: ServiceBusReceivedMessage[] = [];
      for (;;) {
        let receiver: ServiceBusReceiver;
        if (drainOptions.sessions) {
          try {
            receiver = typeof from === "string" ? await client.acceptNextSession(from, options) : await client.acceptNextSession(from[0], from[1], options);
          } catch {
            return received; // no session left to lock
          }
        } else {
          receiver = receiverOf(client, from, options);
        }
        try {
          // Ask for exactly what is there: the SDK waits a second after the first message for a batch to fill.
          const waiting = (await receiver.peekMessages(10_000, { fromSequenceNumber: Long.ZERO })).filter((m) => m.state === "active").length;
          let left = waiting;
          while (left > 0) {
            const batch = await receiver.receiveMessages(left, { maxWaitTimeInMs: 1000 });
            if (!batch.length) break;
            for (const message of batch) await receiver.completeMessage(message);
            received.push(...batch);
            left -= batch.length;
          }
        } finally {
          await receiver.close();
        }
        if (!drainOptions.sessions) return received;
      }
    },
    async cleanup() {
      await adapter.close();
      await client.close();
      await stop();
    },
  };
}

/** The shared contract fixture: queue `contract-work` dead-letters into its DLQ. */
export async function createContractFixture(): Promise<ContractFixture> {
  return contractFixtureOn(await createServicebusFixture({ queues: [{ name: "contract-work", maxDeliveryCount: 3 }] }), "contract-work");
}

/** The shared contract fixture on `queue` (which must dead-letter into its own DLQ) of a fixture's namespace. */
export function contractFixtureOn(fixture: Pick<ServicebusFixture, "adapter" | "deadLetter" | "cleanup">, queue: string): ContractFixture {
  return {
    adapter: fixture.adapter,
    dlq: { id: `${queue}/$DeadLetterQueue`, name: `${queue}/$DeadLetterQueue` },
    source: { id: queue, name: queue },
    async deadLetter(messages: readonly SeedMessage[]) {
      await fixture.deadLetter(
        queue,
        queue,
        messages.map((message) => ({
          body: Buffer.from(message.body),
          messageId: message.messageId,
          ...(message.contentType ? { contentType: message.contentType } : {}),
          ...(message.properties ? { applicationProperties: { ...message.properties } } : {}),
          ...(message.partitionKey ? { partitionKey: message.partitionKey } : {}),
        })),
      );
    },
    cleanup: () => fixture.cleanup(),
  };
}
