// GET /api/v1/audit/export?format=csv|json — the filtered audit log as a streamed download (never built in memory).
import type { NextRequest } from "next/server";
import { auditExportStream } from "@/lib/api/audit-export";
import { errorResponse } from "@/lib/api/errors";
import { toAuditFilter } from "@/lib/api/operations";
import { auditExportQuerySchema } from "@/lib/api/schemas/audit";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest): Promise<Response> {
  try {
    const query = auditExportQuerySchema.parse(Object.fromEntries(request.nextUrl.searchParams));
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    return new Response(auditExportStream(toAuditFilter(query), query.format), {
      headers: {
        "Content-Type": query.format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="audit-${stamp}.${query.format}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
