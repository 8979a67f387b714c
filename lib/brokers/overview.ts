import "server-only";
// Every DLQ of every configured broker, read in parallel. A broker that is down or slow is
// reported with its error; the others are still listed.
import { getBrokers, type ConfiguredBroker } from "./adapters";
import { BrokerError, brokerError } from "./errors";
import { queueMatches } from "./queue-filter";
import type { BrokerCapabilities, BrokerKind, DeadLetterQueue } from "./types";

/** How long one broker may take to list its DLQs before it is shown as down. */
export const BROKER_LIST_TIMEOUT_MS = 10_000;

export interface BrokerOverview {
  readonly name: string;
  readonly kind: BrokerKind;
  readonly environment: string | null;
  readonly status: "ok" | "down";
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly capabilities: BrokerCapabilities | null;
  readonly queues: readonly DeadLetterQueue[];
}

/** The work, or a BrokerError "unavailable" naming the broker when it takes longer than timeoutMs. */
export function withTimeout<T>(work: Promise<T>, broker: string, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(brokerError("unavailable", broker, `did not answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function overviewOf(broker: ConfiguredBroker, timeoutMs: number): Promise<BrokerOverview> {
  const { config, adapter } = broker;
  const base = { name: config.name, kind: config.kind, environment: config.environment ?? null };
  if (!adapter) {
    const message = broker.buildError?.message ?? "adapter unavailable";
    return { ...base, status: "down", error: { code: "broker-error", message }, capabilities: null, queues: [] };
  }
  try {
    const queues = await withTimeout(adapter.listDeadLetterQueues(), config.name, timeoutMs);
    const visible = queues
      .filter((queue) => queueMatches(queue.name, config.queues))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { ...base, status: "ok", error: null, capabilities: adapter.capabilities, queues: visible };
  } catch (error) {
    const failure =
      error instanceof BrokerError
        ? { code: error.code, message: error.message }
        : { code: "broker-error", message: `${config.name}: ${error instanceof Error ? error.message : String(error)}` };
    return { ...base, status: "down", error: failure, capabilities: adapter.capabilities, queues: [] };
  }
}

/** List every broker's DLQs; never throws for a broker's failure. */
export async function listOverview(timeoutMs = BROKER_LIST_TIMEOUT_MS): Promise<BrokerOverview[]> {
  return Promise.all(getBrokers().map((broker) => overviewOf(broker, timeoutMs)));
}
