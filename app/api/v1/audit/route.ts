// GET /api/v1/audit — the audit log, newest first, filtered by actor, action, broker, queue, message id and time; cursor paging.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { toAuditEntryDto, toAuditFilter } from "@/lib/api/operations";
import { auditListQuerySchema, auditPageSchema } from "@/lib/api/schemas/audit";
import { listAudit } from "@/lib/audit/query";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest): Promise<NextResponse> {
  try {
    const query = auditListQuerySchema.parse(Object.fromEntries(request.nextUrl.searchParams));
    const page = await listAudit(toAuditFilter(query), { cursor: query.cursor ?? null, limit: query.limit });
    const body = auditPageSchema.parse({ entries: page.entries.map(toAuditEntryDto), nextCursor: page.nextCursor });
    return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
