import "server-only";
// Sign-ins, sign-outs and refusals in the audit log (rule 7). They change no other state, so each
// is its own transaction; a failed write fails the request that caused it.
import { appendAudit, type AuditRecord } from "@/lib/audit/log";
import { db } from "@/lib/db/client";
import { clientIpOf } from "./actor";

/** Audit actions written by sign-in and the route guard. */
export const AUTH_ACTIONS = {
  signIn: "auth.sign-in",
  signInRefused: "auth.sign-in.refused",
  signOut: "auth.sign-out",
  /** A request refused by the route guard: 401 (no session), 403 (role, origin). */
  refused: "auth.refused",
} as const;

/** Append one sign-in event to the audit chain in its own transaction. */
export async function auditAuthEvent(record: AuditRecord): Promise<void> {
  await db().$transaction((tx) => appendAudit(tx, record));
}

/** Client IPs whose rate-limited sign-in was audited, with when: one row per IP a minute, so a flood cannot flood the log. */
const rateLimitedAudited = new Map<string, number>();

/** Audit a sign-in attempt that the rate limit refused (429), at most once a minute per client IP. */
export async function auditRateLimited(request: Request, now = Date.now()): Promise<void> {
  const ip = clientIpOf(request.headers);
  const key = ip ?? "unknown";
  const last = rateLimitedAudited.get(key);
  if (last !== undefined && now - last < 60_000) return;
  if (rateLimitedAudited.size > 10_000) rateLimitedAudited.clear();
  rateLimitedAudited.set(key, now);
  await auditAuthEvent({
    actor: "anonymous",
    action: AUTH_ACTIONS.signInRefused,
    request: { method: request.method, path: new URL(request.url).pathname },
    outcome: { status: 429, reason: "rate limited (further refusals from this IP in the next minute are not logged)" },
    clientIp: ip,
    userAgent: request.headers.get("user-agent")?.slice(0, 512) ?? null,
  });
}
