// GET /api/v1/operations/:id — one operation's status and per-message outcome (poll a running one).
import { NextResponse, type NextRequest } from "next/server";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { toOperationDto } from "@/lib/api/operations";
import { operationStatusResponseSchema } from "@/lib/api/schemas/operations";
import { findOperation } from "@/lib/operations/run";

export const dynamic = "force-dynamic";

export async function GET(_request: NextRequest, context: { params: Promise<{ id: string }> }): Promise<NextResponse> {
  try {
    const { id } = await context.params;
    const operation = await findOperation(id);
    if (!operation) throw new ApiError("not-found", `no operation ${id}`);
    return NextResponse.json(operationStatusResponseSchema.parse({ operation: toOperationDto(operation) }), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
