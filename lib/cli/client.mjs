// @ts-check
// The CLI's HTTP client for the console's /api/v1 routes: bearer token, JSON in and out, the
// console's error body turned into a CliError with the right exit code, and retries with backoff
// (rule 6) for a console that is restarting. Mutations carry an operation id, so a retried POST
// does nothing twice (rule 3).
import { CliError, EXIT, exitCodeForStatus } from "./errors.mjs";

export const CLI_VERSION = "0.1.0";

/**
 * @typedef {object} ClientOptions
 * @property {string} url the console's base URL (a path prefix is kept)
 * @property {string} token an API token; sent as `Authorization: Bearer <token>`
 * @property {number} [timeoutMs] per request
 * @property {number} [retries] extra attempts after a network error or a 502/503/504
 * @property {(ms: number) => Promise<void>} [sleep]
 */

/** Wait `min(cap, base * 2^attempt) + jitter` (rule 6). */
export function backoffMs(/** @type {number} */ attempt, base = 500, cap = 8000) {
  return Math.min(cap, base * 2 ** attempt) + Math.floor(Math.random() * base);
}

const defaultSleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Path of a queue's API routes; queue ids may hold "/" (Service Bus subscriptions), so each part is encoded. */
export function queueApiPath(/** @type {string} */ broker, /** @type {string} */ queueId) {
  return `/api/v1/brokers/${encodeURIComponent(broker)}/queues/${encodeURIComponent(queueId)}`;
}

/** @param {unknown} error */
function networkReason(error) {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError" || error.name === "AbortError") return "timed out";
  const cause = /** @type {{ code?: string, message?: string } | undefined} */ (error.cause);
  return cause?.code ?? cause?.message ?? error.message;
}

export class ConsoleClient {
  /** @param {ClientOptions} options */
  constructor(options) {
    /** @type {URL} */
    let base;
    try {
      base = new URL(options.url.endsWith("/") ? options.url : `${options.url}/`);
    } catch {
      throw new CliError(EXIT.usage, `not a URL: ${options.url} (DLQ_URL or --url, e.g. https://dlq.example.com)`);
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new CliError(EXIT.usage, `the console URL must be http(s): ${options.url}`);
    this.base = base;
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.retries = options.retries ?? 3;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** The console's page URL for a path such as /jobs/<id>. */
  pageUrl(/** @type {string} */ path) {
    return new URL(path.replace(/^\//, ""), this.base).href;
  }

  /**
   * One request; resolves to the parsed JSON body of a 2xx answer.
   * @param {"GET" | "POST"} method
   * @param {string} path /api/v1/...
   * @param {{ query?: Record<string, string | number | undefined | null>, body?: unknown, timeoutMs?: number }} [init]
   * @returns {Promise<any>}
   */
  async request(method, path, init = {}) {
    const url = new URL(path.replace(/^\//, ""), this.base);
    for (const [key, value] of Object.entries(init.query ?? {})) if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, String(value));
    /** @type {Record<string, string>} */
    const headers = {
      Accept: "application/json",
      Authorization: `Bearer ${this.token}`,
      "User-Agent": `dlq-cli/${CLI_VERSION} node/${process.versions.node}`,
    };
    // No Origin: the console checks it only for cookie sessions (CSRF); a bearer token needs none.
    if (method !== "GET") headers["Content-Type"] = "application/json";
    for (let attempt = 0; ; attempt++) {
      /** @type {Response} */
      let response;
      try {
        response = await fetch(url, {
          method,
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: AbortSignal.timeout(init.timeoutMs ?? this.timeoutMs),
          redirect: "manual",
        });
      } catch (error) {
        if (attempt < this.retries) {
          await this.sleep(backoffMs(attempt));
          continue;
        }
        throw new CliError(EXIT.unavailable, `cannot reach the console at ${this.base.origin}: ${networkReason(error)}`);
      }
      if ((response.status === 502 || response.status === 503 || response.status === 504) && attempt < this.retries) {
        await response.body?.cancel();
        await this.sleep(backoffMs(attempt));
        continue;
      }
      return this.#answer(method, url, response);
    }
  }

  /**
   * @param {string} method
   * @param {URL} url
   * @param {Response} response
   */
  async #answer(method, url, response) {
    const text = await response.text();
    /** @type {any} */
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (response.ok && body !== null) return body;
    const where = `${method} ${url.pathname}`;
    if (response.ok) throw new CliError(EXIT.error, `${where}: the console answered ${response.status} without JSON`, { status: response.status });
    if (response.status >= 300 && response.status < 400) {
      // A sign-in redirect or a proxy in front: the URL is not the console's API.
      throw new CliError(EXIT.error, `${where}: redirected to ${response.headers.get("location") ?? "?"}; is ${this.base.href} the console's URL?`, { status: response.status });
    }
    const error = body && typeof body === "object" && body.error && typeof body.error === "object" ? body.error : null;
    const message = typeof error?.message === "string" ? error.message : `${response.status} ${response.statusText}`.trim();
    const code = typeof error?.code === "string" ? error.code : null;
    const details = error?.details ?? null;
    const hint = response.status === 401 ? "check DLQ_TOKEN / --token (an API token of the console, sent as a bearer token)" : null;
    throw new CliError(exitCodeForStatus(response.status), `${response.status} ${message}`, { status: response.status, code, details, hint });
  }

  /** @param {string} path @param {Record<string, string | number | undefined | null>} [query] */
  get(path, query) {
    return this.request("GET", path, { query });
  }

  /** @param {string} path @param {unknown} body @param {{ timeoutMs?: number }} [options] */
  post(path, body, options = {}) {
    return this.request("POST", path, { body, ...options });
  }
}
