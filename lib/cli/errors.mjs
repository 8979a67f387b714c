// @ts-check
// The CLI's exit codes (documented in `dlq --help` and docs/cli.md) and its one error type.
// Plain JavaScript on Node built-ins only, so `npx dlq` runs without a build step.

/** Exit codes: each outcome a pipeline may want to tell apart has its own. */
export const EXIT = Object.freeze({
  ok: 0,
  /** Anything unexpected: a 5xx from the console, an answer the CLI does not understand. */
  error: 1,
  /** Bad arguments, unknown command or option, missing URL or token. */
  usage: 2,
  /** 401 or 403: no or a wrong token, or the token's owner may not do this. */
  auth: 3,
  /** Unknown broker, queue, message or job; or a queue name that matches several. */
  notFound: 4,
  /** The console cannot be reached (connection refused, DNS, timeout) or answers 502/503/504. */
  unavailable: 5,
  /** Refused: the console said no (400/409/422/429: not indexed, nothing matches, a conflict, a blocked plan, a reason required), or a purge confirmation that does not match. */
  refused: 6,
  /** `--wait`: the job stopped before the end: paused (by itself or by someone) or cancelled. */
  jobStopped: 7,
  /** Some messages failed: a `--wait` job completed with messages that did not replay, or a purge was partial (they are still in the DLQ). */
  jobFailures: 8,
});

/** What `dlq --help` prints about the exit codes. */
export const EXIT_CODES_HELP = `Exit codes:
  0  done (a job with --wait: completed, every message moved or skipped)
  1  unexpected error (the console answered 5xx, or something the CLI does not understand)
  2  usage: bad arguments, unknown command or option, no URL or token
  3  authentication or permission: 401/403 (the console's message is shown)
  4  not found: unknown broker, queue, message or job, or a queue name matching several
  5  unreachable: the console is down, times out, or answers 502/503/504
  6  refused: the console refused the request (400/409/422/429), a blocked plan, or a purge
     confirmation that does not match the queue name
  7  --wait: the job paused (by itself, e.g. the canary came back, or by someone) or was cancelled
  8  some messages failed: a job (--wait) completed with messages that did not replay, or a
     purge was partial (they are still in the DLQ)`;

/** An error the CLI reports as one line (or one JSON object) and exits with. */
export class CliError extends Error {
  /**
   * @param {number} exitCode one of EXIT
   * @param {string} message what went wrong, for a person
   * @param {{ status?: number | null, code?: string | null, details?: unknown, hint?: string | null }} [extra]
   */
  constructor(exitCode, message, extra = {}) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.status = extra.status ?? null;
    this.code = extra.code ?? null;
    this.details = extra.details ?? null;
    this.hint = extra.hint ?? null;
  }
}

/** The exit code for an HTTP error status from the console. */
export function exitCodeForStatus(/** @type {number} */ status) {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 502 || status === 503 || status === 504) return EXIT.unavailable;
  if (status >= 400 && status < 500) return EXIT.refused;
  return EXIT.error;
}
