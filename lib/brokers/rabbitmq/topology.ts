// Finds dead-letter queues from the vhost's topology: every queue some queue's dead-letter exchange
// (argument or policy) routes to, following exchange → bindings → queue, e2e bindings included.
import type { QueueSettings } from "../types";
import type { Binding, ManagedExchange, ManagedQueue } from "./management";

/** A queue setting from its arguments (x-<name>) or, failing that, its effective policy (<name>). */
export function queueSetting(queue: ManagedQueue, name: string): unknown {
  const fromArgs = queue.arguments?.[`x-${name}`];
  if (fromArgs !== undefined) return fromArgs;
  return queue.effective_policy_definition?.[name];
}

/** The queue's delivery limit: the lower of argument and policy (quorum queues), null when unset. */
export function deliveryLimitOf(queue: ManagedQueue, serverMajor: number): number | null {
  const values = [queue.arguments?.["x-delivery-limit"], queue.effective_policy_definition?.["delivery-limit"]]
    .map(Number)
    .filter((value) => Number.isFinite(value));
  if (values.length > 0) {
    const limit = Math.min(...values);
    return limit < 0 ? null : limit; // 4.x: -1 means unlimited
  }
  return queue.type === "quorum" && serverMajor >= 4 ? 20 : null; // 4.x default for quorum queues
}

/** AMQP topic matching: "*" one word, "#" zero or more. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const match = (p: string[], k: string[]): boolean => {
    if (p.length === 0) return k.length === 0;
    const [head, ...rest] = p;
    if (head === "#") return match(rest, k) || (k.length > 0 && match(p, k.slice(1)));
    if (k.length === 0) return false;
    return (head === "*" || head === k[0]) && match(rest, k.slice(1));
  };
  return match(pattern.split("."), routingKey.split("."));
}

/**
 * Queues a message dead-lettered to `exchange` with `routingKey` can reach. A null routing key
 * means "the message's own keys", unknown here, so every binding of the exchange counts.
 */
export function routeTargets(
  exchange: string,
  routingKey: string | null,
  exchanges: ReadonlyMap<string, ManagedExchange>,
  bindings: readonly Binding[],
  seen = new Set<string>(),
): Set<string> {
  const targets = new Set<string>();
  if (exchange === "") {
    if (routingKey !== null) targets.add(routingKey);
    return targets;
  }
  if (seen.has(exchange)) return targets;
  seen.add(exchange);
  const definition = exchanges.get(exchange);
  const type = definition?.type ?? "direct";
  for (const binding of bindings) {
    if (binding.source !== exchange) continue;
    const routes =
      routingKey === null || type === "fanout" || type === "headers" || type.startsWith("x-")
        ? true
        : type === "topic"
          ? topicMatches(binding.routing_key, routingKey)
          : binding.routing_key === routingKey;
    if (!routes) continue;
    if (binding.destination_type === "queue") targets.add(binding.destination);
    else for (const queue of routeTargets(binding.destination, routingKey, exchanges, bindings, seen)) targets.add(queue);
  }
  const alternate = definition?.arguments?.["alternate-exchange"] ?? definition?.effective_policy_definition?.["alternate-exchange"];
  if (typeof alternate === "string") for (const queue of routeTargets(alternate, routingKey, exchanges, bindings, seen)) targets.add(queue);
  return targets;
}

/** DLQ name → the names of the queues that dead-letter into it; configured DLQs included. */
export function findDeadLetterQueues(
  queues: readonly ManagedQueue[],
  exchanges: readonly ManagedExchange[],
  bindings: readonly Binding[],
  configured: readonly string[],
): Map<string, string[]> {
  const byName = new Map(exchanges.map((exchange) => [exchange.name, exchange]));
  const existing = new Set(queues.map((queue) => queue.name));
  const sourcesOf = new Map<string, string[]>(configured.filter((name) => existing.has(name)).map((name) => [name, []]));
  for (const queue of queues) {
    const exchange = queueSetting(queue, "dead-letter-exchange");
    if (typeof exchange !== "string") continue;
    const routingKey = queueSetting(queue, "dead-letter-routing-key");
    for (const target of routeTargets(exchange, typeof routingKey === "string" ? routingKey : null, byName, bindings)) {
      if (target === queue.name || !existing.has(target)) continue;
      const sources = sourcesOf.get(target) ?? [];
      sources.push(queue.name);
      sourcesOf.set(target, sources);
    }
  }
  return sourcesOf;
}

/** Milliseconds setting (x-message-ttl) as whole seconds, null when unset. */
function ttlSeconds(queue: ManagedQueue): number | null {
  const ttl = Number(queueSetting(queue, "message-ttl"));
  return Number.isFinite(ttl) && ttl >= 0 ? Math.round(ttl / 1000) : null;
}

/**
 * Every long-lived queue's dead-letter settings, for the hygiene checks. Exclusive, auto-delete
 * and amq.* queues (RPC replies, temporary consumers) are left out: they are not work queues.
 */
export function queueSettingsOf(
  queues: readonly ManagedQueue[],
  exchanges: readonly ManagedExchange[],
  bindings: readonly Binding[],
  configured: readonly string[],
  serverMajor: number,
): QueueSettings[] {
  const byName = new Map(exchanges.map((exchange) => [exchange.name, exchange]));
  const existing = new Set(queues.map((queue) => queue.name));
  const dlqs = findDeadLetterQueues(queues, exchanges, bindings, configured);
  return queues
    .filter((queue) => !queue.exclusive && !queue.auto_delete && !queue.name.startsWith("amq."))
    .map((queue): QueueSettings => {
      const exchange = queueSetting(queue, "dead-letter-exchange");
      const routingKey = queueSetting(queue, "dead-letter-routing-key");
      const targets =
        typeof exchange === "string"
          ? [...routeTargets(exchange, typeof routingKey === "string" ? routingKey : null, byName, bindings)].filter((name) => name !== queue.name && existing.has(name))
          : [];
      const ttl = ttlSeconds(queue);
      return {
        id: queue.name,
        name: queue.name,
        role: dlqs.has(queue.name) ? "dlq" : "work",
        deadLetterTargets: targets.map((name) => ({ id: name, name })),
        deadLetterConfigured: typeof exchange === "string",
        maxDeliveryCount: queue.type === "quorum" ? deliveryLimitOf(queue, serverMajor) : null,
        deliveryCapSupported: queue.type === "quorum",
        // A message-ttl is how long the queue keeps a message; with a DLX an expired one is dead-lettered.
        retentionSeconds: ttl,
        messageTtlSeconds: ttl,
        deadLettersOnExpiry: null,
        ordered: false,
        consumers: queue.consumers ?? null,
      };
    });
}
