// GET /api/v1/brokers/:broker/queues/:queue/depth — the DLQ's depth over the last hours, from the samples the console stores.
import { NextResponse, type NextRequest } from "next/server";
import { requireAdapter } from "@/lib/api/brokers";
import { errorResponse } from "@/lib/api/errors";
import { depthHistorySchema, depthQuerySchema } from "@/lib/api/schemas/depth";
import { depthHistory } from "@/lib/triage/depth-samples";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest, context: { params: Promise<{ broker: string; queue: string }> }): Promise<NextResponse> {
  try {
    const { broker, queue } = await context.params;
    const { hours } = depthQuerySchema.parse(Object.fromEntries(request.nextUrl.searchParams));
    requireAdapter(broker);
    const points = await depthHistory(broker, queue, new Date(Date.now() - hours * 3_600_000));
    return NextResponse.json(depthHistorySchema.parse({ queueId: queue, hours, points }), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
