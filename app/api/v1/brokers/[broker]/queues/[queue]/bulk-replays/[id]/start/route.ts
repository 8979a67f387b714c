// POST /api/v1/brokers/:broker/queues/:queue/bulk-replays/:id/start — start a planned bulk replay as a background job.
import type { NextRequest, NextResponse } from "next/server";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { jobResponse } from "@/lib/api/jobs";
import { actorOf } from "@/lib/auth/actor";
import { getBulkJob, startBulkJob } from "@/lib/operations/bulk/control";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest, context: { params: Promise<{ broker: string; queue: string; id: string }> }): Promise<NextResponse> {
  try {
    const actor = actorOf(request);
    const { broker, queue, id } = await context.params;
    // The permission was checked for the broker in the path: the job must be of that queue.
    const job = await getBulkJob(id);
    if (job.broker !== broker || job.queueId !== queue) throw new ApiError("not-found", `no bulk replay ${id} on ${broker} / ${queue}`);
    return jobResponse(await startBulkJob(id, actor), 202);
  } catch (error) {
    return errorResponse(error);
  }
}
