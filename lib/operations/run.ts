import "server-only";
// The life of one operation, the same for every kind and broker:
//   begin: one transaction records the operation (keyed by its client-generated id), claims its
//          messages, and appends the intent audit row; a repeat of the id returns the first result
//   act:   the broker calls, outside any transaction
//   finish: one transaction stores the outcome, releases the claims, appends the outcome row.
// Refusals (a missing reason, an invalid edit, a conflict) are audited before they are thrown.
import { createHash } from "node:crypto";
import { Prisma, type Operation } from "@prisma/client";
import { ApiError } from "@/lib/api/api-error";
import { appendAudit, canonicalJson, type Tx } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/actor";
import { BrokerError } from "@/lib/brokers/errors";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { db } from "@/lib/db/client";

export const OPERATION_KINDS = ["replay", "resend", "purge", "restore"] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/** The broker and queue an operation acts on. */
export interface OperationTarget {
  readonly adapter: BrokerAdapter;
  /** The broker's configured name (adapter.name). */
  readonly broker: string;
  readonly queueId: string;
  /** The broker's environment label from config, e.g. "prod"; null when unlabelled. */
  readonly environment: string | null;
}

/** What every mutating request carries besides its own fields. */
export interface OperationMeta {
  /** Client-generated; a repeat with the same id does nothing twice. */
  readonly operationId: string;
  readonly reason?: string | null;
  readonly ticket?: string | null;
}

/** One message's outcome, as operations report and the audit log records it. */
export interface MessageOutcome {
  readonly id: string;
  /** moved, sent-kept, sent-not-removed, removed, restored, not-found, failed, skipped */
  readonly status: string;
  readonly error?: string;
  readonly sentMessageId?: string | null;
  readonly archiveId?: string;
}

export interface OperationResult {
  readonly outcomes: readonly MessageOutcome[];
  /** Why the whole operation failed (the broker was down), when it did. */
  readonly error?: string;
}

/** "planned": a bulk replay whose plan is frozen but not started (lib/operations/bulk). */
export type OperationStatus = "planned" | "running" | "succeeded" | "partial" | "failed";

/** An operation as the API returns it. */
export interface OperationView {
  readonly id: string;
  readonly kind: string;
  readonly status: OperationStatus;
  readonly actor: string;
  readonly broker: string;
  readonly queueId: string;
  readonly reason: string | null;
  readonly ticket: string | null;
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
  readonly result: OperationResult | null;
}

export interface OperationResponse {
  readonly operation: OperationView;
  /** True when this was a repeat of an earlier request with the same operation id. */
  readonly repeated: boolean;
}

/** How long a claim blocks others; past it, a crashed operation no longer holds its messages. */
export const CLAIM_TTL_MS = 15 * 60 * 1000;
/** Statuses of a message that mean the operation did what it was asked for that message. */
const DONE_STATUSES = new Set(["moved", "sent-kept", "removed", "restored"]);

export function toOperationView(row: Operation): OperationView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status as OperationStatus,
    actor: row.actor,
    broker: row.broker,
    queueId: row.queueId,
    reason: row.reason,
    ticket: row.ticket,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
    result: row.result === null ? null : (JSON.parse(row.result) as OperationResult),
  };
}

/** The operation with this id, or null. */
export async function findOperation(id: string): Promise<OperationView | null> {
  const row = await db().operation.findUnique({ where: { id } });
  return row ? toOperationView(row) : null;
}

/** True where operations on this environment must carry a reason or a ticket. */
export function reasonRequired(environment: string | null, requiredIn: readonly string[]): boolean {
  return environment !== null && requiredIn.includes(environment.trim().toLowerCase());
}

export interface OperationPlan {
  readonly kind: OperationKind;
  readonly target: OperationTarget;
  readonly actor: Actor;
  readonly meta: OperationMeta;
  /** The request as recorded (ids, destination, diff); its hash tells a repeat from a reuse. */
  readonly request: Readonly<Record<string, unknown>>;
  /** Message ids the audit rows name. */
  readonly messageIds: readonly string[];
  /** Keys to claim: message ids, "archive:<id>", or "*" for the whole queue. */
  readonly claims: readonly string[];
  /** From config: the environments that need a reason. */
  readonly reasonRequiredIn: readonly string[];
}

function auditBase(plan: OperationPlan) {
  return {
    actor: plan.actor.id,
    operationId: plan.meta.operationId,
    broker: plan.target.broker,
    queueId: plan.target.queueId,
    messageIds: plan.messageIds,
    clientIp: plan.actor.ip,
    userAgent: plan.actor.userAgent,
    via: plan.actor.via,
  };
}

function recordedRequest(plan: OperationPlan): Record<string, unknown> {
  return { ...plan.request, reason: plan.meta.reason ?? null, ticket: plan.meta.ticket ?? null };
}

/**
 * The earlier run of this operation id, for an operation that must read the broker before it can
 * build its full request (an edit's diff needs the original, which a first run may have moved).
 * A reuse of the id for something else is refused.
 */
export async function earlierRun(plan: OperationPlan, sameRequest: (recorded: Record<string, unknown>) => boolean): Promise<OperationResponse | null> {
  const row = await db().operation.findUnique({ where: { id: plan.meta.operationId } });
  if (!row) return null;
  const recorded = JSON.parse(row.request) as Record<string, unknown>;
  if (row.kind !== plan.kind || recorded.broker !== plan.target.broker || recorded.queueId !== plan.target.queueId || !sameRequest(recorded)) {
    await refuse(plan, new ApiError("conflict", `operation id ${plan.meta.operationId} was already used for a different request; use a new id`));
  }
  return { operation: toOperationView(row), repeated: true };
}

/** Audit a refusal in its own transaction, then throw it. */
export async function refuse(plan: OperationPlan, error: ApiError): Promise<never> {
  await db().$transaction((tx) =>
    appendAudit(tx, {
      ...auditBase(plan),
      action: `${plan.kind}.refused`,
      request: recordedRequest(plan),
      outcome: { refused: error.code, message: error.message, details: error.details ?? null },
    }),
  );
  throw error;
}

const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

type Begun = { readonly state: "started" } | { readonly state: "existing"; readonly row: Operation } | { readonly state: "conflict"; readonly holders: { messageId: string; operationId: string }[] };

async function claimConflicts(tx: Tx, plan: OperationPlan, now: Date) {
  const { broker, queueId } = plan.target;
  await tx.messageClaim.deleteMany({ where: { broker, queueId, expiresAt: { lt: now } } });
  const wholeQueue = plan.claims.includes("*");
  return tx.messageClaim.findMany({
    where: { broker, queueId, ...(wholeQueue ? {} : { messageId: { in: [...plan.claims, "*"] } }) },
    select: { messageId: true, operationId: true },
    take: 20,
  });
}

async function begin(plan: OperationPlan, requestText: string, requestHash: string): Promise<Begun> {
  const { broker, queueId } = plan.target;
  const now = new Date();
  return db().$transaction(async (tx) => {
    // Claims of one queue are checked and taken one transaction at a time.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('dlc.claims'), hashtext(${`${broker}|${queueId}`}))`;
    const existing = await tx.operation.findUnique({ where: { id: plan.meta.operationId } });
    if (existing) return { state: "existing", row: existing } as const;
    const holders = await claimConflicts(tx, plan, now);
    if (holders.length > 0) return { state: "conflict", holders } as const;
    await tx.operation.create({
      data: {
        id: plan.meta.operationId,
        kind: plan.kind,
        actor: plan.actor.id,
        broker,
        queueId,
        request: requestText,
        requestHash,
        status: "running",
        reason: plan.meta.reason ?? null,
        ticket: plan.meta.ticket ?? null,
        createdAt: now,
      },
    });
    const expiresAt = new Date(now.getTime() + CLAIM_TTL_MS);
    await tx.messageClaim.createMany({
      data: [...new Set(plan.claims)].map((messageId) => ({ broker, queueId, messageId, operationId: plan.meta.operationId, expiresAt })),
    });
    await appendAudit(tx, { ...auditBase(plan), action: `${plan.kind}.intent`, request: recordedRequest(plan), outcome: { status: "running" } });
    return { state: "started" } as const;
  }, TX_OPTIONS);
}

function statusOf(result: OperationResult): OperationStatus {
  if (result.error !== undefined) return "failed";
  const done = result.outcomes.filter((outcome) => DONE_STATUSES.has(outcome.status)).length;
  if (done === result.outcomes.length) return "succeeded";
  return done === 0 ? "failed" : "partial";
}

/** Store the outcome, release the claims and append the outcome row, in one transaction. */
async function finish(plan: OperationPlan, result: OperationResult, extra?: (tx: Tx) => Promise<void>): Promise<Operation> {
  const status = statusOf(result);
  return db().$transaction(async (tx) => {
    const row = await tx.operation.update({
      where: { id: plan.meta.operationId },
      data: { status, result: canonicalJson(result), finishedAt: new Date() },
    });
    await tx.messageClaim.deleteMany({ where: { operationId: plan.meta.operationId } });
    await extra?.(tx);
    await appendAudit(tx, { ...auditBase(plan), action: `${plan.kind}.outcome`, request: recordedRequest(plan), outcome: { status, ...result } });
    return row;
  }, TX_OPTIONS);
}

/** What an operation's broker work hands back: the result, plus state to store with it. */
export interface Acted {
  readonly result: OperationResult;
  /** Runs in the finish transaction (e.g. marking archives restored). */
  readonly store?: (tx: Tx) => Promise<void>;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * Run one operation: check the reason policy, begin (or find the earlier run of this id), act on
 * the broker, finish. A broker error fails the operation (recorded) and is rethrown for the route.
 */
export async function runOperation(plan: OperationPlan, act: () => Promise<Acted>): Promise<OperationResponse> {
  const requestText = canonicalJson({ kind: plan.kind, broker: plan.target.broker, queueId: plan.target.queueId, ...plan.request });
  const requestHash = createHash("sha256").update(requestText).digest("hex");
  const repeat = async (row: Operation): Promise<OperationResponse> => {
    if (row.requestHash !== requestHash) {
      await refuse(plan, new ApiError("conflict", `operation id ${plan.meta.operationId} was already used for a different request; use a new id`));
    }
    return { operation: toOperationView(row), repeated: true };
  };
  // A repeat returns the first result before any check that could answer differently now.
  const earlier = await db().operation.findUnique({ where: { id: plan.meta.operationId } });
  if (earlier) return repeat(earlier);

  const { reason, ticket } = plan.meta;
  if (reasonRequired(plan.target.environment, plan.reasonRequiredIn) && !reason?.trim() && !ticket?.trim()) {
    await refuse(plan, new ApiError("unprocessable", `a reason or ticket is required for operations on ${plan.target.broker} (environment "${plan.target.environment}")`));
  }

  let begun: Begun;
  try {
    begun = await begin(plan, requestText, requestHash);
  } catch (error) {
    // The same id raced in on another queue's lock: the other request owns it.
    if (!isUniqueViolation(error)) throw error;
    const row = await db().operation.findUniqueOrThrow({ where: { id: plan.meta.operationId } });
    begun = { state: "existing", row };
  }
  if (begun.state === "existing") return repeat(begun.row);
  if (begun.state === "conflict") {
    const [first] = begun.holders;
    const what = first!.messageId === "*" ? "the whole queue" : `message ${first!.messageId}`;
    await refuse(
      plan,
      new ApiError("conflict", `${what} is being changed by another operation (${first!.operationId}); try again when it has finished`, { holders: begun.holders }),
    );
  }

  let acted: Acted;
  try {
    acted = await act();
  } catch (error) {
    const message = error instanceof BrokerError || error instanceof ApiError ? error.message : "internal error";
    await finish(plan, { outcomes: plan.messageIds.map((id) => ({ id, status: "failed", error: message })), error: message });
    throw error;
  }
  const row = await finish(plan, acted.result, acted.store);
  return { operation: toOperationView(row), repeated: false };
}
