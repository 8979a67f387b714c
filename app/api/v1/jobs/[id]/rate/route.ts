// POST /api/v1/jobs/:id/rate — change a job's rate (messages per second); a running job uses it from its next batch.
import type { NextRequest, NextResponse } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { jobResponse } from "@/lib/api/jobs";
import { readJsonBody } from "@/lib/api/operations";
import { jobRateRequestSchema } from "@/lib/api/schemas/jobs";
import { actorOf } from "@/lib/auth/actor";
import { getConfig } from "@/lib/config";
import { setBulkJobRate } from "@/lib/operations/bulk/control";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest, context: { params: Promise<{ id: string }> }): Promise<NextResponse> {
  try {
    const actor = actorOf(request);
    const { id } = await context.params;
    const { ratePerSecond } = jobRateRequestSchema.parse(await readJsonBody(request));
    return jobResponse(await setBulkJobRate(id, actor, ratePerSecond, getConfig().bulkReplay.maxRatePerSecond));
  } catch (error) {
    return errorResponse(error);
  }
}
