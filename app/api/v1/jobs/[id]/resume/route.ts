// POST /api/v1/jobs/:id/resume — resume a paused job from its last checkpoint.
import type { NextRequest, NextResponse } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { jobResponse } from "@/lib/api/jobs";
import { actorOf } from "@/lib/auth/actor";
import { resumeBulkJob } from "@/lib/operations/bulk/control";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest, context: { params: Promise<{ id: string }> }): Promise<NextResponse> {
  try {
    const actor = actorOf(request);
    const { id } = await context.params;
    return jobResponse(await resumeBulkJob(id, actor));
  } catch (error) {
    return errorResponse(error);
  }
}
