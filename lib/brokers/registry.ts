import "server-only";
// Builds one adapter per configured broker. Each kind registers its factory here, once.
import type { BrokerConfig } from "@/lib/config";
import { brokerError } from "./errors";
import { createRabbitmqAdapter } from "./rabbitmq";
import { createServicebusAdapter } from "./servicebus";
import { createSqsAdapter } from "./sqs";
import type { BrokerAdapter, BrokerKind } from "./types";

type ConfigOf<K extends BrokerKind> = Extract<BrokerConfig, { kind: K }>;
/** Builds an adapter from a broker's name and parsed connection options; connects lazily. */
export type AdapterFactory<K extends BrokerKind> = (settings: { name: string; connection: ConfigOf<K>["connection"] }) => BrokerAdapter;

const factories: { [K in BrokerKind]?: AdapterFactory<K> } = {
  rabbitmq: createRabbitmqAdapter,
  sqs: createSqsAdapter,
  servicebus: createServicebusAdapter,
};

/** The broker kinds that have an adapter. contract.meta.test.ts checks each has a contract test. */
export const REGISTERED_KINDS = Object.keys(factories) as BrokerKind[];

/** Build the adapter for one configured broker. */
export function createAdapter(config: BrokerConfig): BrokerAdapter {
  const factory = factories[config.kind] as AdapterFactory<typeof config.kind> | undefined;
  if (!factory) {
    throw brokerError("invalid-request", config.name, `no adapter for broker kind "${config.kind}" yet`);
  }
  return factory({ name: config.name, connection: config.connection });
}
