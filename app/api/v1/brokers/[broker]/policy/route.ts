// GET /api/v1/brokers/:broker/policy — what operations on this broker require: environment label, reason, size limit, archive retention.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { operationPolicy, operationTarget } from "@/lib/api/operations";
import { policyResponseSchema } from "@/lib/api/schemas/operations";
import { reasonRequired } from "@/lib/operations/run";

export const dynamic = "force-dynamic";

export async function GET(_request: NextRequest, context: { params: Promise<{ broker: string }> }): Promise<NextResponse> {
  try {
    const { broker } = await context.params;
    const target = operationTarget(broker, "");
    const policy = operationPolicy();
    const body = policyResponseSchema.parse({
      broker,
      environment: target.environment,
      reasonRequired: reasonRequired(target.environment, policy.reasonRequiredIn),
      archiveRetentionDays: policy.archiveRetentionDays,
      maxMessageBytes: target.adapter.capabilities.maxMessageBytes,
    });
    return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
