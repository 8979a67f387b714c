import "server-only";
// Payload views (who read which message) go into the audit log like every other action.
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { appendAudit } from "./log";

/** Record that `actor` read these messages' payloads; throws when the row cannot be written. */
export async function recordView(actor: Actor, broker: string, queueId: string, messageIds: readonly string[]): Promise<void> {
  await db().$transaction((tx) =>
    appendAudit(tx, { actor: actor.id, action: "message.view", broker, queueId, messageIds, clientIp: actor.ip, userAgent: actor.userAgent, via: actor.via }),
  );
}
