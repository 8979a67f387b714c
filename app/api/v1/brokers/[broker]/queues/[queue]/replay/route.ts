// POST /api/v1/brokers/:broker/queues/:queue/replay — replay messages to their source or a destination (send, confirm, remove).
import type { NextRequest, NextResponse } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { operationPolicy, operationResponse, operationTarget, readJsonBody } from "@/lib/api/operations";
import { replayRequestSchema } from "@/lib/api/schemas/operations";
import { actorOf } from "@/lib/auth/actor";
import { replayMessages } from "@/lib/operations/replay";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest, context: { params: Promise<{ broker: string; queue: string }> }): Promise<NextResponse> {
  try {
    const actor = actorOf(request);
    const { broker, queue } = await context.params;
    const input = replayRequestSchema.parse(await readJsonBody(request));
    return operationResponse(await replayMessages(operationTarget(broker, queue), actor, input, operationPolicy()));
  } catch (error) {
    return errorResponse(error);
  }
}
