import "server-only";
// Route-handler helpers for the operation and audit routes: the operation target of a URL, the
// policy from config, bounded JSON bodies, and the DTOs of operations and audit rows.
import type { AuditEntry } from "@prisma/client";
import { NextResponse } from "next/server";
import type { AuditFilter } from "@/lib/audit/query";
import { findBroker } from "@/lib/brokers/adapters";
import { getConfig } from "@/lib/config";
import type { OperationResponse, OperationTarget, OperationView } from "@/lib/operations/run";
import { ApiError } from "./api-error";
import { requireAdapter } from "./brokers";
import type { AuditEntryDto, AuditFilterDto } from "./schemas/audit";
import type { OperationDto, OperationResponseDto } from "./schemas/operations";

/** Largest JSON body an operation route reads (an edited message plus its properties, base64). */
export const MAX_REQUEST_BYTES = 12 * 1024 * 1024;

/** The broker and queue named by a route's URL, with the broker's environment label. */
export function operationTarget(brokerName: string, queueId: string): OperationTarget {
  const adapter = requireAdapter(brokerName);
  return { adapter, broker: brokerName, queueId, environment: findBroker(brokerName)?.config.environment ?? null };
}

/** The operation settings from config. */
export function operationPolicy() {
  const config = getConfig();
  return { reasonRequiredIn: config.reasonRequiredEnvironments, archiveRetentionDays: config.archiveRetentionDays };
}

/** The request's JSON body, refused past MAX_REQUEST_BYTES or when it is not JSON. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_REQUEST_BYTES) throw new ApiError("payload-too-large", `the request is larger than ${MAX_REQUEST_BYTES} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_REQUEST_BYTES) throw new ApiError("payload-too-large", `the request is larger than ${MAX_REQUEST_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("bad-request", "the request body is not JSON");
  }
}

export function toOperationDto(operation: OperationView): OperationDto {
  return {
    ...operation,
    createdAt: operation.createdAt.toISOString(),
    finishedAt: operation.finishedAt?.toISOString() ?? null,
    result: operation.result ? { ...operation.result, outcomes: [...operation.result.outcomes] } : null,
  };
}

/** 200 with the operation, or 202 when a repeat found it still running. */
export function operationResponse(response: OperationResponse): NextResponse {
  const body: OperationResponseDto = { operation: toOperationDto(response.operation), repeated: response.repeated };
  return NextResponse.json(body, { status: response.operation.status === "running" ? 202 : 200, headers: { "Cache-Control": "no-store" } });
}

export function toAuditEntryDto(entry: AuditEntry): AuditEntryDto {
  return {
    id: String(entry.id),
    at: entry.at.toISOString(),
    actor: entry.actor,
    via: entry.via,
    action: entry.action,
    operationId: entry.operationId,
    broker: entry.broker,
    queueId: entry.queueId,
    messageIds: entry.messageIds,
    request: JSON.parse(entry.request) as unknown,
    outcome: JSON.parse(entry.outcome) as unknown,
    clientIp: entry.clientIp,
    userAgent: entry.userAgent,
    previousHash: entry.previousHash,
    hash: entry.hash,
  };
}

export function toAuditFilter(query: AuditFilterDto): AuditFilter {
  return {
    actor: query.actor,
    action: query.action,
    broker: query.broker,
    queueId: query.queue,
    messageId: query.messageId,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  };
}
