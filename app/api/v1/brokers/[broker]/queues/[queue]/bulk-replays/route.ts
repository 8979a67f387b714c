// POST /api/v1/brokers/:broker/queues/:queue/bulk-replays — plan a bulk replay (the dry run): freeze the selection, send nothing.
import type { NextRequest, NextResponse } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { jobResponse } from "@/lib/api/jobs";
import { operationPolicy, operationTarget, readJsonBody } from "@/lib/api/operations";
import { bulkPlanRequestSchema } from "@/lib/api/schemas/jobs";
import { actorOf } from "@/lib/auth/actor";
import { getConfig } from "@/lib/config";
import { planBulkReplay } from "@/lib/operations/bulk/plan";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest, context: { params: Promise<{ broker: string; queue: string }> }): Promise<NextResponse> {
  try {
    const actor = actorOf(request);
    const { broker, queue } = await context.params;
    const input = bulkPlanRequestSchema.parse(await readJsonBody(request));
    const policy = { ...getConfig().bulkReplay, reasonRequiredIn: operationPolicy().reasonRequiredIn };
    return jobResponse(await planBulkReplay(operationTarget(broker, queue), actor, input, policy), 201);
  } catch (error) {
    return errorResponse(error);
  }
}
