// GET /api/v1/jobs — recent bulk replay jobs with progress (done / failed / skipped / remaining, rate, ETA).
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { jobForViewer } from "@/lib/api/redact";
import { jobListQuerySchema } from "@/lib/api/schemas/jobs";
import { brokerVisibility } from "@/lib/auth/actor";
import { listBulkJobs } from "@/lib/operations/bulk/control";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest): Promise<NextResponse> {
  try {
    const query = jobListQuerySchema.parse(Object.fromEntries(request.nextUrl.searchParams));
    // Only jobs on brokers this user may view (the table lets in anyone who may view one).
    const visible = brokerVisibility(request, "queues.read");
    const reads = brokerVisibility(request, "messages.read");
    const jobs = (await listBulkJobs({ broker: query.broker, queueId: query.queue, limit: query.limit }))
      .filter((job) => visible(job.broker))
      .map((job) => jobForViewer(job, reads(job.broker)));
    return NextResponse.json({ jobs }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
