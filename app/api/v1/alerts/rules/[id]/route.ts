// DELETE /api/v1/alerts/rules/:id — delete an alert rule with its state and deliveries; audited.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import type { AlertRuleDeleted } from "@/lib/api/schemas/alerts";
import { actorOf } from "@/lib/auth/actor";
import { deleteAlertRule } from "@/lib/alerts/store";

export const dynamic = "force-dynamic";

export async function DELETE(request: NextRequest, context: { params: Promise<{ id: string }> }): Promise<NextResponse> {
  try {
    const { id } = await context.params;
    await deleteAlertRule(actorOf(request), id);
    return NextResponse.json({ id, deleted: true } satisfies AlertRuleDeleted);
  } catch (error) {
    return errorResponse(error);
  }
}
