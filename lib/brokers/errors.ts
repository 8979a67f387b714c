// One error type for every broker failure: it names the broker and the queue and keeps the cause.

export const BROKER_ERROR_CODES = [
  /** The queue, exchange, topic or message does not exist. */
  "not-found",
  /** The broker cannot be reached or dropped the connection. */
  "unavailable",
  /** Credentials were refused or lack a permission. */
  "access-denied",
  /** The broker throttled the call; retry later with backoff. */
  "throttled",
  /** The request is malformed for this broker (too large, too many attributes, bad destination). */
  "invalid-request",
  /** A publish could not be routed anywhere; nothing was sent. */
  "unroutable",
  /** The broker refused the operation for now (SQS purge once per 60 s, quorum delivery limit). */
  "refused",
  /** Anything else the broker reported. */
  "broker-error",
] as const;
export type BrokerErrorCode = (typeof BROKER_ERROR_CODES)[number];

/** Codes worth retrying with backoff (rule 6). */
export const TRANSIENT_BROKER_ERRORS: ReadonlySet<BrokerErrorCode> = new Set(["unavailable", "throttled"]);

export class BrokerError extends Error {
  override readonly name = "BrokerError";

  constructor(
    readonly code: BrokerErrorCode,
    readonly broker: string,
    message: string,
    readonly queue: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(`${broker}${queue ? ` / ${queue}` : ""}: ${message}`, options);
  }

  /** True where a retry with backoff may succeed. */
  get transient(): boolean {
    return TRANSIENT_BROKER_ERRORS.has(this.code);
  }
}

/** Build a BrokerError that names the broker and queue and keeps the cause. */
export function brokerError(
  code: BrokerErrorCode,
  broker: string,
  message: string,
  context: { queue?: string | null; cause?: unknown } = {},
): BrokerError {
  return new BrokerError(code, broker, message, context.queue ?? null, { cause: context.cause });
}
