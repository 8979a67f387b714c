// POST /api/v1/brokers/:broker/queues/:queue/index/refresh — (re)read the whole DLQ into the message index, in the background.
import { NextResponse, type NextRequest } from "next/server";
import { requireAdapter } from "@/lib/api/brokers";
import { errorResponse } from "@/lib/api/errors";
import { indexRefreshResponseSchema } from "@/lib/api/schemas/message-index";
import { actorOf } from "@/lib/auth/actor";
import { requestRefresh } from "@/lib/triage/message-index";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest, context: { params: Promise<{ broker: string; queue: string }> }): Promise<NextResponse> {
  try {
    const { broker, queue } = await context.params;
    const adapter = requireAdapter(broker);
    const { started, state } = await requestRefresh(adapter, queue, actorOf(request));
    return NextResponse.json(indexRefreshResponseSchema.parse({ queueId: queue, started, state }), { status: started ? 202 : 200 });
  } catch (error) {
    return errorResponse(error);
  }
}
