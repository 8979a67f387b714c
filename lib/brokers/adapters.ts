import "server-only";
// The process's broker adapters, built once from config and kept across requests (and across
// Next.js dev reloads) so connections are reused.
import { getConfig, type BrokerConfig } from "@/lib/config";
import { createAdapter } from "./registry";
import type { BrokerAdapter } from "./types";

export interface ConfiguredBroker {
  readonly config: BrokerConfig;
  /** The adapter, or why it could not be built. */
  readonly adapter: BrokerAdapter | null;
  readonly buildError: Error | null;
}

const globalStore = globalThis as typeof globalThis & { __dlqBrokers?: ConfiguredBroker[] };

/** Every configured broker with its adapter, in config order. */
export function getBrokers(): readonly ConfiguredBroker[] {
  globalStore.__dlqBrokers ??= getConfig().brokers.map((config) => {
    try {
      return { config, adapter: createAdapter(config), buildError: null };
    } catch (error) {
      return { config, adapter: null, buildError: error instanceof Error ? error : new Error(String(error)) };
    }
  });
  return globalStore.__dlqBrokers;
}

/** One configured broker by name, or null. */
export function findBroker(name: string): ConfiguredBroker | null {
  return getBrokers().find((broker) => broker.config.name === name) ?? null;
}
