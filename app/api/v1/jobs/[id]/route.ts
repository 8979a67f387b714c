// GET /api/v1/jobs/:id — one bulk replay job with its plan summary and a page of failures (messages that did not move, with errors).
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { jobForViewer } from "@/lib/api/redact";
import { jobFailuresQuerySchema } from "@/lib/api/schemas/jobs";
import { actorOf } from "@/lib/auth/actor";
import { seesFullPayloads } from "@/lib/auth/redaction";
import { bulkJobFailures, getBulkJob } from "@/lib/operations/bulk/control";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest, context: { params: Promise<{ id: string }> }): Promise<NextResponse> {
  try {
    const { id } = await context.params;
    const query = jobFailuresQuerySchema.parse(Object.fromEntries(request.nextUrl.searchParams));
    const [job, failures] = await Promise.all([getBulkJob(id), bulkJobFailures(id, { afterSeq: query.after ?? null, limit: query.limit })]);
    return NextResponse.json({ job: jobForViewer(job, seesFullPayloads(actorOf(request).role)), ...failures }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
