// POST /api/v1/alerts/rules — create an alert rule (depth, age or growth above a threshold, to a webhook); audited.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { readJsonBody } from "@/lib/api/operations";
import { alertRuleInputSchema } from "@/lib/api/schemas/alerts";
import { actorOf } from "@/lib/auth/actor";
import { createAlertRule } from "@/lib/alerts/store";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest): Promise<NextResponse> {
  try {
    const input = alertRuleInputSchema.parse(await readJsonBody(request));
    return NextResponse.json(await createAlertRule(actorOf(request), input), { status: 201 });
  } catch (error) {
    return errorResponse(error);
  }
}
