// GET /api/v1/audit/verify — check the whole hash chain; names the first broken row.
import { NextResponse } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { toAuditEntryDto } from "@/lib/api/operations";
import { auditVerifySchema } from "@/lib/api/schemas/audit";
import { verifyAuditLog } from "@/lib/audit/query";

export const dynamic = "force-dynamic";

export async function GET(): Promise<NextResponse> {
  try {
    const verdict = await verifyAuditLog();
    const body = auditVerifySchema.parse(verdict.ok ? verdict : { ...verdict, entry: verdict.entry ? toAuditEntryDto(verdict.entry) : null });
    return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
