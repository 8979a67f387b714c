// GET /api/v1/brokers/:broker/queues/:queue/index — a filtered page of the message index, with failure groups and freshness (previews for readers only).
import { NextResponse, type NextRequest } from "next/server";
import { requireAdapter } from "@/lib/api/brokers";
import { errorResponse } from "@/lib/api/errors";
import { indexPageSchema, indexQuerySchema } from "@/lib/api/schemas/message-index";
import { actorOf } from "@/lib/auth/actor";
import { seesFullPayloads } from "@/lib/auth/redaction";
import { queryIndex } from "@/lib/triage/index-query";
import { indexState, toStateDto } from "@/lib/triage/message-index";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest, context: { params: Promise<{ broker: string; queue: string }> }): Promise<NextResponse> {
  try {
    const { broker, queue } = await context.params;
    const query = indexQuerySchema.parse(Object.fromEntries(request.nextUrl.searchParams));
    requireAdapter(broker);
    // Viewers see the index as metadata (ids, reasons, times, groups): no payload previews, and
    // their search does not look into payloads or headers.
    const reader = seesFullPayloads(actorOf(request).role);
    const filter = { text: query.text, group: query.group ?? null, from: query.from ? new Date(query.from) : null, to: query.to ? new Date(query.to) : null, searchPayloads: reader };
    // The state first, then the rows: a refresh commits its rows before it marks itself idle, so a
    // page read after an "idle" state has them. Read together, a refresh finishing in between gave
    // "idle" with the rows of before it, and the view stopped polling with an empty index.
    const state = await indexState(broker, queue);
    const page = await queryIndex(broker, queue, filter, { cursor: query.cursor ?? null, limit: query.limit });
    const messages = reader ? page.messages : page.messages.map((message) => ({ ...message, preview: null }));
    const body = indexPageSchema.parse({ queueId: queue, state: toStateDto(state), ...page, messages });
    return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
