// Rule 6: any call the console retries waits min(cap, base * 2^attempt) + random jitter.

export interface BackoffOptions {
  /** First delay in ms. Default: 200 */
  readonly baseMs?: number;
  /** Longest delay before jitter, in ms. Default: 10 000 */
  readonly capMs?: number;
  /** Up to this much random extra delay, in ms. Default: baseMs */
  readonly jitterMs?: number;
  /** Source of randomness in [0, 1); tests pass a fixed one. Default: Math.random */
  readonly random?: () => number;
}

/** The delay before retry number `attempt` (0-based): min(cap, base * 2^attempt) + jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 200;
  const cap = options.capMs ?? 10_000;
  const jitter = options.jitterMs ?? base;
  const random = options.random ?? Math.random;
  return Math.min(cap, base * 2 ** attempt) + random() * jitter;
}

export interface RetryOptions extends BackoffOptions {
  /** Attempts in all, the first included. Default: 5 */
  readonly attempts?: number;
  /** Whether an error is worth another attempt. */
  readonly isTransient: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Stops waiting and rethrows the last error when aborted. */
  readonly signal?: AbortSignal;
  /** How to wait; tests pass a fake. Default: setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Run `work`, retrying transient failures with backoff and jitter; the last error is rethrown. */
export async function withRetry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt + 1 >= attempts || !options.isTransient(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
