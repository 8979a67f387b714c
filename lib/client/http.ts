// The browser's JSON fetch for /api routes: parses with the route's own zod schema and turns
// error bodies into readable Errors.
import type { z } from "zod";

/** An API error as the console's routes return it. */
export class ApiRequestError extends Error {
  override readonly name = "ApiRequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** GET (or send) JSON and parse the answer with the schema; throws ApiRequestError on a non-2xx. */
export async function fetchJson<T>(url: string, schema: z.ZodType<T>, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { cache: "no-store", ...init, headers: { Accept: "application/json", ...init?.headers } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiRequestError(response.status, error?.code ?? "http-error", error?.message ?? `${response.status} ${response.statusText}`);
  }
  return schema.parse(body);
}
