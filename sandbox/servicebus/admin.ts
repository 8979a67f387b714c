// The read-only administration endpoint: the ATOM XML the ServiceBusAdministrationClient reads
// (list and get of queues, topics, subscriptions and rules, with runtime counts). Served over
// plain HTTP; see README for how a client reaches it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RuleConfig } from "./config";
import type { Namespace, QueueEntity, SubscriptionEntity, TopicEntity } from "./namespace";
import type { MessageStore } from "./store";

const SB_NS = "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";

const esc = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Milliseconds as the xsd:duration Service Bus uses; "no TTL" is TimeSpan.MaxValue. */
export function isoDuration(ms: number | undefined): string {
  if (ms === undefined) return "P10675199DT2H48M5.4775807S";
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  const seconds = (rest - minutes * 60_000) / 1000;
  const time = `${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}${seconds || (!hours && !minutes) ? `${seconds}S` : ""}`;
  return `P${days ? `${days}D` : ""}T${time}`;
}

function countDetails(store: MessageStore | undefined, scheduledOverride?: number): string {
  const counts = store?.counts();
  const dlq = store?.deadLetter?.messages.size ?? 0;
  const tdlq = store?.transferDeadLetter?.messages.size ?? 0;
  const d = (name: string, value: number) => `<d2p1:${name}>${value}</d2p1:${name}>`;
  return `<CountDetails xmlns:d2p1="http://schemas.microsoft.com/netservices/2011/06/servicebus">${
    d("ActiveMessageCount", (counts?.active ?? 0) + (counts?.deferred ?? 0))}${d("DeadLetterMessageCount", dlq)}${
    d("ScheduledMessageCount", scheduledOverride ?? counts?.scheduled ?? 0)}${d("TransferMessageCount", 0)}${
    d("TransferDeadLetterMessageCount", tdlq)}</CountDetails>`;
}

const dates = (created: Date, updated: Date) =>
  `<CreatedAt>${created.toISOString()}</CreatedAt><UpdatedAt>${updated.toISOString()}</UpdatedAt><AccessedAt>${new Date().toISOString()}</AccessedAt>`;

const duplicateXml = (duplicates: { windowMs: number } | undefined) =>
  `<RequiresDuplicateDetection>${duplicates !== undefined}</RequiresDuplicateDetection>`;
const windowXml = (duplicates: { windowMs: number } | undefined) =>
  `<DuplicateDetectionHistoryTimeWindow>${isoDuration(duplicates?.windowMs ?? 600_000)}</DuplicateDetectionHistoryTimeWindow>`;

function queueXml(queue: QueueEntity): string {
  const { store } = queue;
  const s = store.settings;
  const counts = store.counts();
  const total = counts.total + (store.deadLetter?.messages.size ?? 0) + (store.transferDeadLetter?.messages.size ?? 0);
  return `<QueueDescription xmlns="${SB_NS}" xmlns:i="${XSI}"><LockDuration>${isoDuration(s.lockDurationMs)}</LockDuration>` +
    `<MaxSizeInMegabytes>1024</MaxSizeInMegabytes>${duplicateXml(queue.duplicates)}` +
    `<RequiresSession>${s.requiresSession}</RequiresSession><DefaultMessageTimeToLive>${isoDuration(s.defaultMessageTimeToLiveMs)}</DefaultMessageTimeToLive>` +
    `<DeadLetteringOnMessageExpiration>${s.deadLetteringOnMessageExpiration}</DeadLetteringOnMessageExpiration>` +
    `${windowXml(queue.duplicates)}<MaxDeliveryCount>${s.maxDeliveryCount}</MaxDeliveryCount>` +
    `<EnableBatchedOperations>true</EnableBatchedOperations><SizeInBytes>${counts.bytes}</SizeInBytes><MessageCount>${total}</MessageCount>` +
    `<IsAnonymousAccessible>false</IsAnonymousAccessible><AuthorizationRules/><Status>Active</Status>` +
    (s.forwardTo ? `<ForwardTo>${esc(s.forwardTo)}</ForwardTo>` : "") +
    `${dates(store.createdAt, store.updatedAt)}<SupportOrdering>true</SupportOrdering>${countDetails(store)}` +
    `<AutoDeleteOnIdle>P10675199DT2H48M5.4775807S</AutoDeleteOnIdle><EnablePartitioning>false</EnablePartitioning>` +
    `<EntityAvailabilityStatus>Available</EntityAvailabilityStatus><EnableExpress>false</EnableExpress>` +
    `<MaxMessageSizeInKilobytes>256</MaxMessageSizeInKilobytes></QueueDescription>`;
}

function topicXml(topic: TopicEntity): string {
  const scheduled = topic.scheduled.counts().scheduled;
  return `<TopicDescription xmlns="${SB_NS}" xmlns:i="${XSI}"><DefaultMessageTimeToLive>${isoDuration(topic.defaultMessageTimeToLiveMs)}</DefaultMessageTimeToLive>` +
    `<MaxSizeInMegabytes>1024</MaxSizeInMegabytes>${duplicateXml(topic.duplicates)}` +
    `${windowXml(topic.duplicates)}<EnableBatchedOperations>true</EnableBatchedOperations>` +
    `<SizeInBytes>${topic.scheduled.counts().bytes}</SizeInBytes><FilteringMessagesBeforePublishing>false</FilteringMessagesBeforePublishing>` +
    `<IsAnonymousAccessible>false</IsAnonymousAccessible><AuthorizationRules/><Status>Active</Status>${dates(topic.createdAt, topic.createdAt)}` +
    `<SupportOrdering>true</SupportOrdering>${countDetails(undefined, scheduled)}<SubscriptionCount>${topic.subscriptions.size}</SubscriptionCount>` +
    `<AutoDeleteOnIdle>P10675199DT2H48M5.4775807S</AutoDeleteOnIdle><EnablePartitioning>false</EnablePartitioning>` +
    `<EntityAvailabilityStatus>Available</EntityAvailabilityStatus><EnableExpress>false</EnableExpress>` +
    `<MaxMessageSizeInKilobytes>256</MaxMessageSizeInKilobytes></TopicDescription>`;
}

function subscriptionXml(sub: SubscriptionEntity): string {
  const { store } = sub;
  const s = store.settings;
  const total = store.counts().total + (store.deadLetter?.messages.size ?? 0) + (store.transferDeadLetter?.messages.size ?? 0);
  return `<SubscriptionDescription xmlns="${SB_NS}" xmlns:i="${XSI}"><LockDuration>${isoDuration(s.lockDurationMs)}</LockDuration>` +
    `<RequiresSession>${s.requiresSession}</RequiresSession><DefaultMessageTimeToLive>${isoDuration(s.defaultMessageTimeToLiveMs)}</DefaultMessageTimeToLive>` +
    `<DeadLetteringOnMessageExpiration>${s.deadLetteringOnMessageExpiration}</DeadLetteringOnMessageExpiration>` +
    `<DeadLetteringOnFilterEvaluationExceptions>true</DeadLetteringOnFilterEvaluationExceptions><MessageCount>${total}</MessageCount>` +
    `<MaxDeliveryCount>${s.maxDeliveryCount}</MaxDeliveryCount><EnableBatchedOperations>true</EnableBatchedOperations><Status>Active</Status>` +
    (s.forwardTo ? `<ForwardTo>${esc(s.forwardTo)}</ForwardTo>` : "") +
    `${dates(store.createdAt, store.updatedAt)}${countDetails(store)}<AutoDeleteOnIdle>P10675199DT2H48M5.4775807S</AutoDeleteOnIdle>` +
    `<EntityAvailabilityStatus>Available</EntityAvailabilityStatus></SubscriptionDescription>`;
}

function ruleXml(rule: RuleConfig): string {
  const f = rule.filter;
  let filter: string;
  if (f.type === "true" || f.type === "false") {
    filter = `<Filter i:type="${f.type === "true" ? "TrueFilter" : "FalseFilter"}"><SqlExpression>${f.type === "true" ? "1=1" : "1=0"}</SqlExpression><CompatibilityLevel>20</CompatibilityLevel></Filter>`;
  } else {
    const field = (tag: string, value: string | undefined) => (value === undefined ? "" : `<${tag}>${esc(value)}</${tag}>`);
    const props = Object.entries(f.applicationProperties ?? {}).map(([key, value]) => {
      const type = typeof value === "number" ? (Number.isInteger(value) ? "int" : "double") : typeof value === "boolean" ? "boolean" : "string";
      return `<KeyValueOfstringanyType><Key>${esc(key)}</Key><Value xmlns:d6p1="http://www.w3.org/2001/XMLSchema" i:type="d6p1:${type}">${esc(String(value))}</Value></KeyValueOfstringanyType>`;
    }).join("");
    filter = `<Filter i:type="CorrelationFilter">${field("CorrelationId", f.correlationId)}${field("MessageId", f.messageId)}${field("To", f.to)}` +
      `${field("ReplyTo", f.replyTo)}${field("Label", f.subject)}${field("SessionId", f.sessionId)}${field("ReplyToSessionId", f.replyToSessionId)}` +
      `${field("ContentType", f.contentType)}<Properties>${props}</Properties></Filter>`;
  }
  return `<RuleDescription xmlns="${SB_NS}" xmlns:i="${XSI}">${filter}<Action i:type="EmptyRuleAction"/><Name>${esc(rule.name)}</Name></RuleDescription>`;
}

function entry(base: string, path: string, content: string): string {
  const now = new Date().toISOString();
  return `<entry xmlns="http://www.w3.org/2005/Atom"><id>${esc(`${base}/${path}`)}</id><title type="text">${esc(path.split("/").pop()!)}</title>` +
    `<published>${now}</published><updated>${now}</updated><link rel="self" href="${esc(`${base}/${path}`)}"/>` +
    `<content type="application/xml">${content}</content></entry>`;
}

/**
 * A feed; `next` is the $skip of the following page when there is one. Service Bus says so with a
 * `<link rel="next">` beside `<link rel="self">`, and the SDK pages only while it finds one (its
 * parser reads the links only as a list, hence the self link too).
 */
function feed(base: string, path: string, entries: string[], next: { url: URL; skip: number } | null = null): string {
  const links = next
    ? `<link rel="self" href="${esc(`${base}/${path}`)}"/>` +
      `<link rel="next" href="${esc(`${base}/${path}?$skip=${next.skip}&$top=${next.url.searchParams.get("$top") ?? DEFAULT_TOP}&api-version=${next.url.searchParams.get("api-version") ?? "2021-05"}`)}"/>`
    : "";
  return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title type="text">${esc(path)}</title>` +
    `<id>${esc(`${base}/${path}`)}</id><updated>${new Date().toISOString()}</updated>${links}${entries.join("")}</feed>`;
}

const DEFAULT_TOP = 100;

/** One page of a listing and where the next one starts, as `$skip`/`$top` ask. */
function page<T>(items: T[], url: URL): { items: T[]; next: { url: URL; skip: number } | null } {
  const skip = Number(url.searchParams.get("$skip") ?? 0);
  const top = Number(url.searchParams.get("$top") ?? DEFAULT_TOP);
  const slice = items.slice(skip, skip + top);
  return { items: slice, next: skip + slice.length < items.length ? { url, skip: skip + slice.length } : null };
}

/** The XML for one GET; `undefined` means the path names nothing (answered 200 + empty feed). */
export function adminResponse(ns: Namespace, url: URL): string {
  ns.sweep();
  const base = `https://${url.host}`;
  const parts = decodeURIComponent(url.pathname).split("/").filter(Boolean);
  const lower = parts.map((part) => part.toLowerCase());
  const one = (path: string, xml: string) => `<?xml version="1.0" encoding="utf-8"?>${entry(base, path, xml)}`;
  if (lower[0] === "$resources" && lower[1] === "queues") {
    const { items, next } = page([...ns.queues.values()], url);
    return feed(base, "$Resources/Queues", items.map((q) => entry(base, q.name, queueXml(q))), next);
  }
  if (lower[0] === "$resources" && lower[1] === "topics") {
    const { items, next } = page([...ns.topics.values()], url);
    return feed(base, "$Resources/Topics", items.map((t) => entry(base, t.name, topicXml(t))), next);
  }
  const queue = parts.length === 1 ? ns.queues.get(lower[0]!) : undefined;
  if (queue) return one(queue.name, queueXml(queue));
  const topic = ns.topics.get(lower[0] ?? "");
  if (!topic || (parts.length > 1 && lower[1] !== "subscriptions")) return feed(base, parts.join("/"), []);
  if (parts.length === 1) return one(topic.name, topicXml(topic));
  if (parts.length === 2) {
    const { items, next } = page([...topic.subscriptions.values()], url);
    return feed(base, `${topic.name}/Subscriptions`, items.map((s) => entry(base, `${topic.name}/Subscriptions/${s.name}`, subscriptionXml(s))), next);
  }
  const sub = topic.subscriptions.get(lower[2]!);
  if (!sub) return feed(base, parts.join("/"), []);
  const subPath = `${topic.name}/Subscriptions/${sub.name}`;
  if (parts.length === 3) return one(subPath, subscriptionXml(sub));
  if (lower[3] !== "rules") return feed(base, parts.join("/"), []);
  if (parts.length === 4) {
    const { items, next } = page(sub.rules, url);
    return feed(base, `${subPath}/Rules`, items.map((r) => entry(base, `${subPath}/Rules/${r.name}`, ruleXml(r))), next);
  }
  const rule = sub.rules.find((r) => r.name.toLowerCase() === lower[4]);
  return rule ? one(`${subPath}/Rules/${rule.name}`, ruleXml(rule)) : feed(base, parts.join("/"), []);
}

export function handleAdmin(ns: Namespace, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`);
  if (request.method !== "GET") {
    response.writeHead(405, { "content-type": "application/xml" });
    response.end(`<Error><Code>405</Code><Detail>The emulator's administration endpoint is read-only; configure entities in its config file.</Detail></Error>`);
    return;
  }
  response.writeHead(200, { "content-type": "application/atom+xml;type=feed;charset=utf-8" });
  response.end(adminResponse(ns, url));
}
