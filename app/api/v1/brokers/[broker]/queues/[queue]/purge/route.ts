// POST /api/v1/brokers/:broker/queues/:queue/purge — purge selected messages or all (confirm = queue name), archiving each first.
import type { NextRequest, NextResponse } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { operationPolicy, operationResponse, operationTarget, readJsonBody } from "@/lib/api/operations";
import { purgeRequestSchema } from "@/lib/api/schemas/operations";
import { actorOf } from "@/lib/auth/actor";
import { purgeMessages } from "@/lib/operations/purge";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest, context: { params: Promise<{ broker: string; queue: string }> }): Promise<NextResponse> {
  try {
    const actor = actorOf(request);
    const { broker, queue } = await context.params;
    const input = purgeRequestSchema.parse(await readJsonBody(request));
    return operationResponse(await purgeMessages(operationTarget(broker, queue), actor, input, operationPolicy()));
  } catch (error) {
    return errorResponse(error);
  }
}
