// The one error type of the API and lib/operations, with its code → HTTP status map. Kept apart
// from errors.ts (which builds Next responses) so lib/operations can throw it outside Next too.

export const API_ERROR_STATUS = {
  "bad-request": 400,
  unauthenticated: 401,
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  "payload-too-large": 413,
  unprocessable: 422,
  "rate-limited": 429,
  "broker-unavailable": 503,
  "broker-error": 502,
  internal: 500,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
