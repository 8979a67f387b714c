// Where a replay lands. A queue DLQ replays to its queue. A subscription cannot be sent to, and a
// send to its topic reaches every subscription whose rules match, so a subscription DLQ replays:
//   1. to the subscription's forwardTo entity when it has one (where the subscription would have
//      forwarded the message anyway), else
//   2. to the topic, after evaluating every subscription's rules against the copy as it will be
//      sent. It goes ahead when the source subscription is the only receiver; a copy that would
//      reach other subscriptions is refused unless Destination.allowFanOut is set; a copy the source
//      would no longer receive is refused, unless the addReplayRules consent lets the console add
//      its correlation rule (dlq-console-replay-target = subscription path) to the source.
import type { CorrelationRuleFilter, RuleProperties, SqlRuleFilter } from "@azure/service-bus";
import type { DeadLetter, Destination, PropertyValue, QueueRef, ReplayRoute } from "../types";
import { entityPath, parseEntityPath, type DlqAddress, type EntityRef } from "./address";
import type { ServicebusContext } from "./browse";

export const REPLAY_RULE_NAME = "dlq-console-replay";
export const REPLAY_TARGET_PROPERTY = "dlq-console-replay-target";

/** The fields Service Bus rules look at, of the copy as it will be sent. */
export interface RoutingView {
  readonly messageId?: string | null;
  readonly correlationId?: string | null;
  readonly to?: string | null;
  readonly replyTo?: string | null;
  readonly subject?: string | null;
  readonly sessionId?: string | null;
  readonly replyToSessionId?: string | null;
  readonly contentType?: string | null;
  readonly properties: Readonly<Record<string, unknown>>;
  /** When the message was first enqueued: duplicate detection counts from there. */
  readonly enqueuedAt?: Date | null;
}

/** A route plus what the sender must do for it. */
export interface RoutePlan extends ReplayRoute {
  /** Set this application property on the copy (subscription replays through the topic). */
  readonly replayTarget: string | null;
  /** Add the console's correlation rule to this subscription before sending (consented). */
  readonly addRuleTo: Extract<EntityRef, { kind: "subscription" }> | null;
}

const ref = (path: string): QueueRef => ({ id: path, name: path });

const COMMON_CHANGES = [
  "Service Bus gives the copy a new sequence number; message id, session id, partition key, correlation id, subject, content type, application properties and body are kept.",
  "DeadLetterReason and DeadLetterErrorDescription are removed; dlq-console-operation-id, dlq-console-operator and dlq-console-replay-count are added.",
  "The message's own time to live and scheduled time are not kept; the receiving entity's default time to live applies.",
];

/** True, false, or "unknown" (a SQL filter the console does not evaluate). */
export function ruleMatches(filter: SqlRuleFilter | CorrelationRuleFilter, view: RoutingView): boolean | "unknown" {
  if ("sqlExpression" in filter) {
    const sql = filter.sqlExpression.replace(/\s+/g, "");
    if (sql === "1=1") return true;
    if (sql === "1=0") return false;
    return "unknown";
  }
  const fields: [string | undefined, string | null | undefined][] = [
    [filter.correlationId, view.correlationId], [filter.messageId, view.messageId], [filter.to, view.to],
    [filter.replyTo, view.replyTo], [filter.subject, view.subject], [filter.sessionId, view.sessionId],
    [filter.replyToSessionId, view.replyToSessionId], [filter.contentType, view.contentType],
  ];
  if (fields.some(([want, have]) => want !== undefined && want !== null && want !== have)) return false;
  return Object.entries(filter.applicationProperties ?? {}).every(([key, want]) => {
    const have = view.properties[key];
    return have instanceof Date && want instanceof Date ? have.getTime() === want.getTime() : have === want;
  });
}

/** The routing view of a DeadLetter as the console would replay it. */
export function viewOfDeadLetter(message: DeadLetter): RoutingView {
  const system = message.systemProperties;
  const text = (value: PropertyValue | undefined) => (value === undefined || value === null ? null : String(value));
  return {
    messageId: message.messageId,
    correlationId: text(system.correlationId),
    to: text(system.to),
    replyTo: text(system.replyTo),
    subject: text(system.subject),
    sessionId: text(system.sessionId),
    replyToSessionId: text(system.replyToSessionId),
    contentType: message.contentType,
    properties: message.properties,
    enqueuedAt: message.enqueuedAt,
  };
}

/** Rules, subscriptions and topic settings, read once per replay call. */
export type RuleCache = Map<string, Promise<unknown>>;

function cached<T>(cache: RuleCache, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key) as Promise<T> | undefined;
  if (!value) {
    value = load();
    cache.set(key, value);
  }
  return value;
}

function rulesOf(context: ServicebusContext, subscription: Extract<EntityRef, { kind: "subscription" }>, cache: RuleCache): Promise<RuleProperties[]> {
  const path = entityPath(subscription);
  return cached(cache, `rules:${path.toLowerCase()}`, () =>
    context.connection.call(path, async () => {
      const found: RuleProperties[] = [];
      for await (const rule of context.connection.ruleManager(subscription).listRules()) found.push(rule);
      return found;
    }),
  );
}

const topicWindow = (context: ServicebusContext, topic: string, cache: RuleCache) =>
  cached(cache, `window:${topic.toLowerCase()}`, () => context.discovery.topicDuplicateWindowMs(topic));

/** Where a copy sent to `topic` lands, rule by rule. */
async function topicReceivers(context: ServicebusContext, topic: string, view: RoutingView, cache: RuleCache) {
  const subscriptions = await cached(cache, `subscriptions:${topic.toLowerCase()}`, () => context.discovery.subscriptions(topic));
  const receivers: { path: string; entity: Extract<EntityRef, { kind: "subscription" }>; forwardTo: string | null; assumed: boolean }[] = [];
  for (const settings of subscriptions) {
    const entity = settings.entity as Extract<EntityRef, { kind: "subscription" }>;
    const verdicts = (await rulesOf(context, entity, cache)).map((rule) => ruleMatches(rule.filter, view));
    if (verdicts.includes(true) || verdicts.includes("unknown")) {
      receivers.push({ path: entityPath(entity), entity, forwardTo: settings.forwardTo, assumed: !verdicts.includes(true) });
    }
  }
  return receivers;
}

/**
 * Why an entity with duplicate detection would silently drop the copy (same message id, first
 * sent within the window), or null. Conservative: it assumes the id was sent to this entity.
 */
function duplicateBlock(entity: string, windowMs: number | null, view: RoutingView): string | null {
  if (windowMs === null || !view.messageId || !view.enqueuedAt) return null;
  const clearAt = view.enqueuedAt.getTime() + windowMs;
  if (clearAt <= Date.now()) return null;
  return `${entity} has duplicate detection (${Math.round(windowMs / 1000)} s window) and message id "${view.messageId}" was sent at ${view.enqueuedAt.toISOString()}; Service Bus would silently drop the copy. Replay after ${new Date(clearAt).toISOString()}`;
}

/** The route of one copy. `view` is the copy without the replay-target property. */
export async function planRoute(
  context: ServicebusContext,
  address: DlqAddress,
  view: RoutingView,
  destination: Destination | undefined,
  cache: RuleCache = new Map(),
): Promise<RoutePlan> {
  const changes = [...COMMON_CHANGES];
  const plan = (sendTo: string, receivers: QueueRef[], blocked: string | null, extra: Partial<RoutePlan> = {}): RoutePlan => ({
    sendTo: ref(sendTo), receivers, changes, blocked, replayTarget: null, addRuleTo: null, ...extra,
  });
  const target = destination ? parseEntityPath(destination.id) : address.entity;
  if (target.kind === "queue") {
    const name = target.queue;
    const kind = destination ? await context.discovery.kindOf(name) : "queue";
    if (kind === null) return plan(name, [], `no queue or topic named "${name}" exists`);
    if (kind === "queue") {
      const settings = await context.discovery.settings(target);
      if (!settings) return plan(name, [], `no queue named "${name}" exists`);
      if (settings.forwardTo) changes.push(`Queue ${name} auto-forwards everything to ${settings.forwardTo}.`);
      return plan(name, [ref(name)], duplicateBlock(name, settings.duplicateWindowMs, view));
    }
    // An explicit topic: whatever its rules say, and one receiver at most without consent.
    const receivers = await topicReceivers(context, name, view, cache);
    for (const receiver of receivers) {
      if (receiver.assumed) changes.push(`${receiver.path} has SQL rules the console does not evaluate; it is assumed to receive the copy.`);
    }
    if (receivers.length === 0) return plan(name, [], `no subscription of topic "${name}" matches this message; Service Bus would drop the copy`);
    const blocked = receivers.length > 1 && !destination?.allowFanOut
      ? `topic "${name}" would copy this message to ${receivers.length} subscriptions (${receivers.map((r) => r.path).join(", ")}); confirm the fan-out (allowFanOut) or choose one queue`
      : duplicateBlock(name, await topicWindow(context, name, cache), view);
    return plan(name, receivers.map((receiver) => ref(receiver.forwardTo ?? receiver.path)), blocked);
  }

  // A subscription (the DLQ's own, or one named as the destination).
  const path = entityPath(target);
  const settings = await context.discovery.settings(target);
  if (!settings) return plan(target.topic, [], `no subscription "${path}" exists`);
  if (settings.forwardTo) {
    changes.push(`A subscription cannot be sent to; the copy goes straight to ${settings.forwardTo}, where ${path} forwards its messages.`);
    const forwardSettings = await context.discovery.settings(parseEntityPath(settings.forwardTo));
    return plan(settings.forwardTo, [ref(settings.forwardTo)], duplicateBlock(settings.forwardTo, forwardSettings?.duplicateWindowMs ?? null, view));
  }
  const withTarget: RoutingView = { ...view, properties: { ...view.properties, [REPLAY_TARGET_PROPERTY]: path } };
  const receivers = await topicReceivers(context, target.topic, withTarget, cache);
  const others = receivers.filter((receiver) => receiver.path.toLowerCase() !== path.toLowerCase());
  const reachesSource = others.length < receivers.length;
  for (const receiver of receivers) {
    if (receiver.assumed) changes.push(`${receiver.path} has SQL rules the console does not evaluate; it is assumed to receive the copy.`);
  }
  changes.push(`A subscription cannot be sent to; the copy is sent to topic ${target.topic} with ${REPLAY_TARGET_PROPERTY} = ${path}.`);
  let addRuleTo: RoutePlan["addRuleTo"] = null;
  let blocked: string | null = null;
  if (!reachesSource) {
    if (context.connection.options.addReplayRules) {
      addRuleTo = target;
      changes.push(`${path}'s rules no longer match this message, so the console adds rule ${REPLAY_RULE_NAME} (${REPLAY_TARGET_PROPERTY} = ${path}) to it first (addReplayRules).`);
    } else {
      blocked = `${path}'s rules do not match this message any more, so a replay through topic ${target.topic} would not reach it; enable addReplayRules to let the console add rule ${REPLAY_RULE_NAME}, or choose a queue`;
    }
  }
  if (!blocked && others.length > 0 && !destination?.allowFanOut) {
    blocked = `topic ${target.topic} would also copy this message to ${others.map((r) => r.path).join(", ")}; confirm the fan-out (allowFanOut) or choose a queue`;
  }
  blocked ??= duplicateBlock(target.topic, await topicWindow(context, target.topic, cache), view);
  const receiverRefs = [...(reachesSource || addRuleTo ? [ref(path)] : []), ...others.map((receiver) => ref(receiver.forwardTo ?? receiver.path))];
  return plan(target.topic, receiverRefs, blocked, { replayTarget: path, addRuleTo });
}

/** Add the console's correlation rule to a subscription, unless it is already there. */
export async function ensureReplayRule(context: ServicebusContext, subscription: Extract<EntityRef, { kind: "subscription" }>, cache: RuleCache): Promise<void> {
  const rules = await rulesOf(context, subscription, cache);
  if (rules.some((rule) => rule.name === REPLAY_RULE_NAME)) return;
  const path = entityPath(subscription);
  await context.connection.call(path, () =>
    context.connection.ruleManager(subscription).createRule(REPLAY_RULE_NAME, { applicationProperties: { [REPLAY_TARGET_PROPERTY]: path } }),
  );
  cache.delete(`rules:${path.toLowerCase()}`);
}
