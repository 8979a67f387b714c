// GET /api/v1/brokers/:broker/queues/:queue/messages/:id — one message: body, properties, failure, history (the view is audited; redacted below reader).
import { NextResponse, type NextRequest } from "next/server";
import { brokerFacts, requireAdapter } from "@/lib/api/brokers";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { payloadViewFor } from "@/lib/api/redact";
import { messageResponseSchema } from "@/lib/api/schemas/messages";
import { toMessageDetail } from "@/lib/api/serialize-message";
import { recordView } from "@/lib/audit/views";
import { consoleHistory } from "@/lib/audit/query";
import { actorOf } from "@/lib/auth/actor";

export const dynamic = "force-dynamic";

export async function GET(
  request: NextRequest,
  context: { params: Promise<{ broker: string; queue: string; id: string }> },
): Promise<NextResponse> {
  try {
    const actor = actorOf(request);
    const { broker, queue, id } = await context.params;
    const adapter = requireAdapter(broker);
    const message = await adapter.getMessage(queue, id);
    if (!message) throw new ApiError("not-found", `message ${id} is no longer in ${broker} / ${queue}`);
    const ids = [id, ...(message.messageId ? [message.messageId] : [])];
    // Payload views are audited; if the row cannot be written, the payload is not shown.
    await recordView(actor, broker, queue, ids);
    const history = [...message.history, ...(await consoleHistory(broker, ids))];
    const body = messageResponseSchema.parse({ broker: brokerFacts(adapter), queueId: queue, message: toMessageDetail({ ...message, history }, payloadViewFor(actor.role)) });
    return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
