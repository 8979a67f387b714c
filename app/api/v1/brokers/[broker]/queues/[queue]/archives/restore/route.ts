// POST /api/v1/brokers/:broker/queues/:queue/archives/restore — send archived messages back to the DLQ or their source.
import type { NextRequest, NextResponse } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { operationPolicy, operationResponse, operationTarget, readJsonBody } from "@/lib/api/operations";
import { restoreRequestSchema } from "@/lib/api/schemas/operations";
import { actorOf } from "@/lib/auth/actor";
import { restoreArchived } from "@/lib/operations/purge";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest, context: { params: Promise<{ broker: string; queue: string }> }): Promise<NextResponse> {
  try {
    const actor = actorOf(request);
    const { broker, queue } = await context.params;
    const input = restoreRequestSchema.parse(await readJsonBody(request));
    return operationResponse(await restoreArchived(operationTarget(broker, queue), actor, input, operationPolicy()));
  } catch (error) {
    return errorResponse(error);
  }
}
