// GET /api/v1/brokers/:broker/queues/:queue/messages — one page of a DLQ, oldest first (previews redacted below reader).
import { NextResponse, type NextRequest } from "next/server";
import { brokerFacts, requireAdapter } from "@/lib/api/brokers";
import { errorResponse } from "@/lib/api/errors";
import { messagePageQuerySchema, messagePageSchema } from "@/lib/api/schemas/messages";
import { payloadViewFor } from "@/lib/api/redact";
import { toMessageSummary } from "@/lib/api/serialize-message";
import { actorOf } from "@/lib/auth/actor";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest, context: { params: Promise<{ broker: string; queue: string }> }): Promise<NextResponse> {
  try {
    const { broker, queue } = await context.params;
    const query = messagePageQuerySchema.parse(Object.fromEntries(request.nextUrl.searchParams));
    const adapter = requireAdapter(broker);
    const view = payloadViewFor(actorOf(request).role);
    const page = await adapter.browse(queue, { cursor: query.cursor ?? null, limit: query.limit });
    const body = messagePageSchema.parse({
      broker: brokerFacts(adapter),
      queueId: queue,
      messages: page.messages.map((message) => toMessageSummary(message, view)),
      nextCursor: page.nextCursor,
      warnings: [...page.warnings],
    });
    return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
