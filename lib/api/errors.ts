import "server-only";
// One error type for the HTTP API, a code → status map, and the mapping of everything else.
// A 500 never shows internals: it logs them under an id and answers with that id.
import { randomUUID } from "node:crypto";
import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { BrokerError, type BrokerErrorCode } from "@/lib/brokers/errors";
import { API_ERROR_STATUS, ApiError, type ApiErrorCode } from "./api-error";
import { redactSecrets } from "./redact";

export { API_ERROR_STATUS, ApiError, type ApiErrorCode } from "./api-error";

const BROKER_TO_API: Record<BrokerErrorCode, ApiErrorCode> = {
  "not-found": "not-found",
  unavailable: "broker-unavailable",
  "access-denied": "broker-error",
  throttled: "rate-limited",
  "invalid-request": "unprocessable",
  unroutable: "unprocessable",
  refused: "conflict",
  "broker-error": "broker-error",
};

/** The JSON error body every route answers with. */
export function errorResponse(error: unknown): NextResponse {
  if (error instanceof ApiError) {
    return NextResponse.json(
      { error: { code: error.code, message: redactSecrets(error.message), details: error.details ?? null } },
      { status: API_ERROR_STATUS[error.code] },
    );
  }
  if (error instanceof ZodError) {
    const issues = error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
    return errorResponse(new ApiError("bad-request", "invalid request", issues));
  }
  if (error instanceof BrokerError) {
    return errorResponse(new ApiError(BROKER_TO_API[error.code], error.message, { brokerCode: error.code }));
  }
  const id = randomUUID();
  console.error(`[api] internal error ${id}:`, error);
  return NextResponse.json({ error: { code: "internal", message: `internal error (id ${id})`, details: null } }, { status: 500 });
}
