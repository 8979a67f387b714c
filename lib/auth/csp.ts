// The Content Security Policy: scripts only from this origin or carrying the per-request nonce
// (Next.js puts it on its own scripts), so an injected inline script never runs.

/** A fresh random nonce for one response. */
export function createNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

/** The policy for HTML pages. `dev` allows the eval that React's dev tooling needs. */
export function pagePolicy(nonce: string, options: { dev: boolean; upgradeInsecure: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    // Tailwind and Next inject style elements; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.upgradeInsecure ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** The policy for API (JSON) responses: nothing may load or run. */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'";
