import "server-only";
// Route-handler helpers for naming a broker and queue in a URL.
import { findBroker } from "@/lib/brokers/adapters";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { ApiError } from "./errors";

/** The adapter of a configured broker; ApiError not-found for an unknown name. */
export function requireAdapter(brokerName: string): BrokerAdapter {
  const broker = findBroker(brokerName);
  if (!broker) throw new ApiError("not-found", `unknown broker "${brokerName}"`);
  if (!broker.adapter) throw new ApiError("broker-unavailable", broker.buildError?.message ?? `broker "${brokerName}" has no adapter`);
  return broker.adapter;
}

/** The broker facts every message response repeats, so the UI can explain side effects. */
export function brokerFacts(adapter: BrokerAdapter) {
  return {
    name: adapter.name,
    kind: adapter.kind,
    capabilities: { ...adapter.capabilities, browseSideEffects: [...adapter.capabilities.browseSideEffects] },
  };
}
