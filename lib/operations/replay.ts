import "server-only";
// Replay, edit-and-resend and the replay preview, once for every broker. The adapter does
// send-confirm-remove (rule 2) and keeps ids and partition keys (rules 3, 4); this layer adds the
// operation id, the claims, the replay stamp and the audit rows around it.
import { ApiError } from "@/lib/api/api-error";
import { utf8OrNull } from "@/lib/api/serialize-message";
import { priorReplayCounts } from "@/lib/audit/query";
import type { Actor } from "@/lib/auth/actor";
import type { DeadLetter, Destination, PropertyValue, QueueRef, ReplayOutcome, ReplayRequest, ReplayRoute } from "@/lib/brokers/types";
import { checkEdit, propertyChanges, textDiff } from "./edit";
import { toPropertiesDto } from "./properties";
import { earlierRun, refuse, runOperation, type MessageOutcome, type OperationMeta, type OperationPlan, type OperationResponse, type OperationTarget } from "./run";

/** Most messages one replay request may name (bulk replays of more are a job, a later issue). */
export const MAX_MESSAGES_PER_REQUEST = 500;
/** Most messages a preview reads from the broker. */
export const MAX_PREVIEW_MESSAGES = 10;

export interface PolicyConfig {
  readonly reasonRequiredIn: readonly string[];
}

function destinationRecord(destination: Destination | undefined) {
  return destination ? { id: destination.id, routingKey: destination.routingKey ?? null, allowFanOut: destination.allowFanOut ?? false } : null;
}

function toOutcome(outcome: ReplayOutcome): MessageOutcome {
  switch (outcome.status) {
    case "moved":
    case "sent-kept":
      return { id: outcome.id, status: outcome.status, sentMessageId: outcome.sentMessageId };
    case "sent-not-removed":
      return { id: outcome.id, status: outcome.status, sentMessageId: outcome.sentMessageId, error: outcome.error };
    case "not-found":
      return { id: outcome.id, status: "not-found" };
    case "failed":
      return { id: outcome.id, status: "failed", error: outcome.error };
  }
}

export interface ReplayInput extends OperationMeta {
  readonly ids: readonly string[];
  /** Absent: each message's own source. */
  readonly destination?: Destination;
}

/** Replay messages to their source or a destination: send, confirm, then remove. */
export async function replayMessages(target: OperationTarget, actor: Actor, input: ReplayInput, policy: PolicyConfig): Promise<OperationResponse> {
  const plan: OperationPlan = {
    kind: "replay",
    target,
    actor,
    meta: input,
    request: { ids: [...input.ids], destination: destinationRecord(input.destination) },
    messageIds: input.ids,
    claims: input.ids,
    reasonRequiredIn: policy.reasonRequiredIn,
  };
  if (input.ids.length === 0 || input.ids.length > MAX_MESSAGES_PER_REQUEST) {
    await refuse(plan, new ApiError("bad-request", `a replay names 1 to ${MAX_MESSAGES_PER_REQUEST} messages`));
  }
  return runOperation(plan, async () => {
    const counts = await priorReplayCounts(target.broker, input.ids);
    const stamp = (id: string) => ({ operationId: input.operationId, operator: actor.id, replayCount: (counts.get(id) ?? 0) + 1 });
    const requests: ReplayRequest[] = input.ids.map((id) => ({ id, destination: input.destination, stamp: stamp(id) }));
    const outcomes = await target.adapter.replay(target.queueId, requests);
    return { result: { outcomes: outcomes.map(toOutcome) } };
  });
}

/** An edit of one message: what to send instead of the original. */
export interface ResendInput extends OperationMeta {
  readonly id: string;
  /** The new body; absent keeps the original bytes. */
  readonly body?: Uint8Array;
  /** The new content type; absent keeps the original. */
  readonly contentType?: string | null;
  /** The new properties (all of them); absent keeps the original ones. */
  readonly properties?: Readonly<Record<string, PropertyValue>>;
  /** Keep the DLQ copy after the send. Default: remove it. */
  readonly keepOriginal?: boolean;
  readonly destination?: Destination;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** The diff the audit log records for an edit: the body as a unified diff (text) and changed properties. */
export function editDiff(original: DeadLetter, edit: { body: Uint8Array; contentType: string | null; properties: Readonly<Record<string, PropertyValue>> }) {
  const before = utf8OrNull(original.body);
  const after = utf8OrNull(edit.body);
  const body = sameBytes(original.body, edit.body)
    ? ""
    : before !== null && after !== null
      ? textDiff(before, after)
      : `binary body changed: ${original.body.byteLength} → ${edit.body.byteLength} bytes`;
  return {
    body,
    contentType: original.contentType === edit.contentType ? null : { before: original.contentType, after: edit.contentType },
    properties: propertyChanges(original.properties, edit.properties).map((change) => ({
      name: change.name,
      ...toPropertiesDto({
        ...(change.before !== undefined ? { before: change.before } : {}),
        ...(change.after !== undefined ? { after: change.after } : {}),
      }),
    })),
  };
}

/** Edit and resend one message. An invalid edit is refused with the exact error, and nothing is sent. */
export async function resendMessage(target: OperationTarget, actor: Actor, input: ResendInput, policy: PolicyConfig): Promise<OperationResponse> {
  const basePlan = (request: Record<string, unknown>): OperationPlan => ({
    kind: "resend",
    target,
    actor,
    meta: input,
    request,
    messageIds: [input.id],
    claims: [input.id],
    reasonRequiredIn: policy.reasonRequiredIn,
  });
  const earlier = await earlierRun(basePlan({ id: input.id }), (recorded) => recorded.id === input.id && recorded.keepOriginal === (input.keepOriginal ?? false));
  if (earlier) return earlier;
  const original = await target.adapter.getMessage(target.queueId, input.id);
  if (!original) {
    return refuse(basePlan({ id: input.id }), new ApiError("not-found", `message ${input.id} is no longer in ${target.broker} / ${target.queueId}`));
  }
  const edited = {
    body: input.body ?? original.body,
    contentType: input.contentType === undefined ? original.contentType : input.contentType,
    properties: input.properties ?? original.properties,
  };
  const diff = editDiff(original, edited);
  const plan = basePlan({
    id: input.id,
    messageId: original.messageId,
    destination: destinationRecord(input.destination),
    keepOriginal: input.keepOriginal ?? false,
    diff,
    size: edited.body.byteLength,
  });
  const check = checkEdit(edited, target.adapter.capabilities.maxMessageBytes);
  if (!check.ok) await refuse(plan, new ApiError("unprocessable", check.error));

  return runOperation({ ...plan, messageIds: [input.id, ...(original.messageId ? [original.messageId] : [])] }, async () => {
    const counts = await priorReplayCounts(target.broker, [input.id]);
    const request: ReplayRequest = {
      id: input.id,
      destination: input.destination,
      // Only what changed is passed, so untouched fields go out exactly as the broker holds them.
      ...(sameBytes(original.body, edited.body) ? {} : { body: edited.body }),
      ...(diff.contentType ? { contentType: edited.contentType } : {}),
      ...(diff.properties.length > 0 ? { properties: edited.properties } : {}),
      keepOriginal: input.keepOriginal ?? false,
      stamp: { operationId: input.operationId, operator: actor.id, replayCount: (counts.get(input.id) ?? 0) + 1 },
    };
    const [outcome] = await target.adapter.replay(target.queueId, [request]);
    return { result: { outcomes: [toOutcome(outcome ?? { id: input.id, status: "failed", error: "the broker returned no outcome" })] } };
  });
}

/** Where one message (or a group of them) would land; nothing is sent. */
export interface PreviewRoute extends ReplayRoute {
  /** The previewed messages that take this route. */
  readonly messageIds: readonly string[];
}

export interface ReplayPreview {
  readonly routes: readonly PreviewRoute[];
  /** Ids that are no longer in the DLQ. */
  readonly missing: readonly string[];
  /** Ids beyond MAX_PREVIEW_MESSAGES, not read; they take their own sources. */
  readonly notPreviewed: number;
}

function genericRoute(target: OperationTarget, message: DeadLetter, destination: Destination | undefined): ReplayRoute {
  const sendTo: QueueRef | null = destination ? { id: destination.id, name: destination.id } : message.source;
  const { capabilities } = target.adapter;
  const changes = [
    "the copy carries replay headers: operation id, operator, replay count",
    capabilities.preservesMessageId
      ? "the broker message id is kept"
      : `${target.adapter.kind.toUpperCase()} assigns a new message id; the original id travels in a property`,
    ...(message.partitionKey ? [`the partition key ${message.partitionKey} is kept, in order`] : []),
  ];
  return {
    sendTo: sendTo ?? { id: "", name: "(unknown)" },
    receivers: sendTo ? [sendTo] : [],
    changes,
    blocked: sendTo ? null : "the broker does not say where this message came from; choose a destination",
  };
}

/** Preview a replay of these messages: where each lands, who receives it, what the broker changes. */
export async function previewReplay(target: OperationTarget, ids: readonly string[], destination?: Destination): Promise<ReplayPreview> {
  const routes = new Map<string, PreviewRoute>();
  const missing: string[] = [];
  for (const id of ids.slice(0, MAX_PREVIEW_MESSAGES)) {
    const message = await target.adapter.getMessage(target.queueId, id);
    if (!message) {
      missing.push(id);
      continue;
    }
    const route = target.adapter.routeReplay
      ? await target.adapter.routeReplay(target.queueId, message, destination)
      : genericRoute(target, message, destination);
    const key = JSON.stringify([route.sendTo.id, route.receivers.map((receiver) => receiver.id), route.changes, route.blocked]);
    const known = routes.get(key);
    routes.set(key, known ? { ...known, messageIds: [...known.messageIds, id] } : { ...route, messageIds: [id] });
  }
  return { routes: [...routes.values()], missing, notPreviewed: Math.max(0, ids.length - MAX_PREVIEW_MESSAGES) };
}
