// `$management` request/response operations (peek, locks, deferral, scheduling, sessions, rules).
// Replies go to the client's receiver whose target is the request's reply-to, matched by
// correlation id = request message id, with `statusCode` (camelCase) as the SDK reads it.
import rhea, { type Connection, type Message } from "rhea";
import { applyOutcome, type AmqpBroker } from "./amqp";
import type { RuleFilter } from "./config";
import type { Namespace, Resolved } from "./namespace";
import { longToNumber, type MessageStore, type StoredMessage } from "./store";

const wrapUuid = (bytes: Buffer) => (rhea.types as unknown as { wrap_uuid(b: Buffer): unknown }).wrap_uuid(bytes);

class ManagementError extends Error {
  constructor(readonly status: number, readonly condition: string, description: string) {
    super(description);
  }
}

/**
 * Replies on the client's receiver whose target is the request's reply-to; the CBS receiver of the
 * SDK has no target address, so the receiver attached to the same node (`$cbs`) is the fallback.
 */
export function respond(connection: Connection, node: string, request: Message, properties: Record<string, unknown>, body?: unknown): void {
  const replyTo = request.reply_to;
  type Link = { target?: { address?: string }; source?: { address?: string } };
  const sender = connection.find_sender((link: Link) => link.target?.address === replyTo)
    ?? connection.find_sender((link: Link) => link.source?.address === node);
  if (!sender) return;
  sender.send({ correlation_id: request.message_id, application_properties: properties, body });
}

export function handleManagement(broker: AmqpBroker, ns: Namespace, connection: Connection, address: string, request: Message): void {
  const entityPath = address.replace(/\/?\$management$/, "");
  const operation = String(request.application_properties?.operation ?? "");
  try {
    ns.sweep();
    const resolved = ns.resolve(entityPath);
    if (!resolved) throw new ManagementError(404, "com.microsoft:entity-not-found", `The messaging entity '${entityPath}' could not be found.`);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const result = run(broker, ns, resolved, operation, body);
    if (result === undefined) respond(connection, address, request, { statusCode: 204, statusDescription: "No Content" });
    else respond(connection, address, request, { statusCode: 200, statusDescription: "OK" }, result);
  } catch (error) {
    const known = error instanceof ManagementError ? error : new ManagementError(500, "amqp:internal-error", String(error));
    respond(connection, address, request, { statusCode: known.status, errorCondition: known.condition, statusDescription: known.message });
  }
}

function storeOf(resolved: Resolved): MessageStore {
  if (!resolved.store) throw new ManagementError(400, "amqp:not-allowed", "This operation needs a queue or a subscription.");
  return resolved.store;
}

function run(broker: AmqpBroker, ns: Namespace, resolved: Resolved, operation: string, body: Record<string, unknown>): unknown {
  switch (operation) {
    case "com.microsoft:peek-message": {
      const store = storeOf(resolved);
      const from = longToNumber(body["from-sequence-number"]);
      const count = Number(body["message-count"] ?? 1);
      const sessionId = body["session-id"] as string | undefined;
      const found: StoredMessage[] = [];
      for (const message of store.messages.values()) {
        if (message.seq < from || (sessionId !== undefined && message.sessionId !== sessionId)) continue;
        found.push(message);
        if (found.length >= count) break;
      }
      if (!found.length) return undefined;
      return { messages: found.map((message) => ({ message: store.render(message, { peek: true }) })) };
    }
    case "com.microsoft:renew-lock": {
      const store = storeOf(resolved);
      const expirations = (body["lock-tokens"] as Buffer[]).map((token) => {
        const message = store.findLocked(token);
        if (!message?.lock) throw lockLost();
        message.lock.until = Date.now() + store.settings.lockDurationMs;
        return new Date(message.lock.until);
      });
      return { expirations };
    }
    case "com.microsoft:receive-by-sequence-number": {
      const store = storeOf(resolved);
      const receiveAndDelete = Number(body["receiver-settle-mode"] ?? 1) === 0;
      const messages = (body["sequence-numbers"] as unknown[]).map((value) => {
        const message = store.messages.get(longToNumber(value));
        if (!message || message.state !== "deferred" || message.lock) {
          throw new ManagementError(410, "com.microsoft:message-not-found", `Failed to lock one or more specified messages. The message ${longToNumber(value)} was not found.`);
        }
        if (receiveAndDelete) {
          message.attempts += 1;
          store.messages.delete(message.seq);
          return { message: store.render(message) };
        }
        const token = store.lock(message, undefined);
        return { message: store.render(message), "lock-token": wrapUuid(token) };
      });
      return { messages };
    }
    case "com.microsoft:update-disposition": {
      const store = storeOf(resolved);
      const status = String(body["disposition-status"]);
      for (const token of body["lock-tokens"] as Buffer[]) {
        const message = store.findLocked(token);
        if (!message) throw lockLost();
        if (status === "completed") applyOutcome(store, message, "accepted");
        else if (status === "suspended") {
          if (store.isDeadLetter) throw new ManagementError(400, "amqp:not-allowed", `Cannot dead-letter a message in '${store.path}': it is already a dead-letter queue.`);
          const props = (body["properties-to-modify"] ?? {}) as Record<string, unknown>;
          applyOutcome(store, message, "rejected", { error: { info: { ...props, DeadLetterReason: body["deadletter-reason"], DeadLetterErrorDescription: body["deadletter-description"] } } });
        } else if (status === "defered") applyOutcome(store, message, "modified", { undeliverable_here: true });
        else applyOutcome(store, message, "modified", { message_annotations: body["properties-to-modify"] as Record<string, unknown> | undefined });
      }
      broker.pumpAll();
      return {};
    }
    case "com.microsoft:schedule-message": {
      const sequenceNumbers = (body.messages as { message: Buffer }[]).map((entry) => {
        if (resolved.entity.kind === "topic") return resolved.entity.scheduled.enqueue(entry.message).seq;
        return storeOf(resolved).enqueue(entry.message).seq;
      });
      // An AMQP array of longs, each as 8 big-endian bytes (the form the SDK itself sends).
      const longs = sequenceNumbers.map((n) => { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(n)); return b; });
      return { "sequence-numbers": rhea.types.wrap_array(longs, 0x81, undefined) };
    }
    case "com.microsoft:cancel-scheduled-message": {
      const store = resolved.entity.kind === "topic" ? resolved.entity.scheduled : storeOf(resolved);
      for (const value of body["sequence-numbers"] as unknown[]) {
        const message = store.messages.get(longToNumber(value));
        if (message?.state === "scheduled") store.messages.delete(message.seq);
      }
      return {};
    }
    case "com.microsoft:renew-session-lock": {
      const store = storeOf(resolved);
      const lock = store.sessionLocks.get(String(body["session-id"]));
      if (!lock || lock.until <= Date.now()) throw new ManagementError(410, "com.microsoft:session-lock-lost", "The session lock has expired.");
      lock.until = Date.now() + store.settings.lockDurationMs;
      return { expiration: new Date(lock.until) };
    }
    case "com.microsoft:set-session-state": {
      const state = body["session-state"];
      const store = storeOf(resolved);
      if (state == null) store.sessionStates.delete(String(body["session-id"]));
      else store.sessionStates.set(String(body["session-id"]), Buffer.from(state as Buffer));
      return {};
    }
    case "com.microsoft:get-session-state":
      return { "session-state": storeOf(resolved).sessionStates.get(String(body["session-id"])) ?? null };
    case "com.microsoft:get-message-sessions": {
      const ids = [...new Set([...storeOf(resolved).messages.values()].map((m) => m.sessionId).filter((id) => id !== undefined))];
      const skip = Number(body.skip ?? 0), top = Number(body.top ?? ids.length);
      const page = ids.slice(skip, skip + top);
      return page.length ? { skip: skip + page.length, "sessions-ids": page } : undefined;
    }
    case "com.microsoft:add-rule": {
      if (resolved.entity.kind !== "subscription") throw new ManagementError(400, "amqp:not-allowed", "Rules exist on subscriptions only.");
      const name = String(body["rule-name"] ?? "");
      const rules = resolved.entity.rules;
      if (rules.some((rule) => rule.name.toLowerCase() === name.toLowerCase())) {
        throw new ManagementError(409, "com.microsoft:entity-already-exists", `The rule '${name}' already exists.`);
      }
      rules.push({ name, filter: filterOf((body["rule-description"] ?? {}) as Record<string, unknown>) });
      return {};
    }
    case "com.microsoft:remove-rule": {
      if (resolved.entity.kind !== "subscription") throw new ManagementError(400, "amqp:not-allowed", "Rules exist on subscriptions only.");
      const name = String(body["rule-name"] ?? "").toLowerCase();
      const rules = resolved.entity.rules;
      const index = rules.findIndex((rule) => rule.name.toLowerCase() === name);
      if (index < 0) throw new ManagementError(404, "com.microsoft:entity-not-found", `The rule '${String(body["rule-name"])}' could not be found.`);
      rules.splice(index, 1);
      return {};
    }
    case "com.microsoft:enumerate-rules": {
      if (resolved.entity.kind !== "subscription") throw new ManagementError(400, "amqp:not-allowed", "Rules exist on subscriptions only.");
      const skip = Number(body.skip ?? 0), top = Number(body.top ?? 2 ** 31 - 1);
      const rules = resolved.entity.rules.slice(skip, skip + top);
      if (!rules.length) return undefined;
      return { rules: rules.map((rule) => ({ "rule-description": ruleDescription(rule.name, rule.filter) })) };
    }
    default:
      throw new ManagementError(501, "amqp:not-implemented", `The emulator does not implement '${operation}'.`);
  }
}

/** A rule description as the SDK's add-rule sends it: true/false SQL or a correlation filter (no other SQL). */
function filterOf(description: Record<string, unknown>): RuleFilter {
  const sql = description["sql-filter"] as { expression?: string } | undefined;
  if (sql) {
    const expression = String(sql.expression ?? "").replace(/\s+/g, "");
    if (expression === "1=1") return { type: "true" };
    if (expression === "1=0") return { type: "false" };
    throw new ManagementError(501, "amqp:not-implemented", `The emulator does not evaluate SQL filters ('${sql.expression}').`);
  }
  const correlation = (description["correlation-filter"] ?? {}) as Record<string, unknown>;
  const text = (key: string) => (correlation[key] === undefined || correlation[key] === null ? undefined : String(correlation[key]));
  const filter: RuleFilter = { type: "correlation" };
  const fields = {
    correlationId: text("correlation-id"), messageId: text("message-id"), to: text("to"), replyTo: text("reply-to"), subject: text("label"),
    sessionId: text("session-id"), replyToSessionId: text("reply-to-session-id"), contentType: text("content-type"),
  };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) Object.assign(filter, { [key]: value });
  const properties = correlation.properties as Record<string, string | number | boolean> | undefined;
  if (properties && Object.keys(properties).length) filter.applicationProperties = { ...properties };
  return filter;
}

const lockLost = () => new ManagementError(410, "com.microsoft:message-lock-lost", "The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.");

// Descriptor codes as @azure/service-bus lists them (com.microsoft:rule-description:list etc.).
const RULE_DESCRIPTION = 1335734829060;
const TRUE_FILTER = 83483426823;
const FALSE_FILTER = 83483426824;
const CORRELATION_FILTER = 83483426825;
const EMPTY_ACTION = 1335734829061;

/** The described rule-description list the SDK's rule manager decodes: [filter, action, name]. */
function ruleDescription(name: string, filter: RuleFilter): unknown {
  const t = rhea.types;
  const described = (code: number, items: unknown[]) => t.described(t.wrap_ulong(code), t.wrap_list(items));
  const str = (value: string | undefined) => (value === undefined ? null : t.wrap_string(value));
  let filterValue: unknown;
  if (filter.type === "true") filterValue = described(TRUE_FILTER, [t.wrap_string("1=1")]);
  else if (filter.type === "false") filterValue = described(FALSE_FILTER, [t.wrap_string("1=0")]);
  else {
    filterValue = described(CORRELATION_FILTER, [
      str(filter.correlationId), str(filter.messageId), str(filter.to), str(filter.replyTo), str(filter.subject),
      str(filter.sessionId), str(filter.replyToSessionId), str(filter.contentType),
      t.wrap_map(filter.applicationProperties ?? {}),
    ]);
  }
  return described(RULE_DESCRIPTION, [filterValue, described(EMPTY_ACTION, []), t.wrap_string(name)]);
}

