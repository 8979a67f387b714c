// POST /api/v1/brokers/:broker/queues/:queue/messages/:id/resend — edit body and properties, validate, resend; keep or remove the original.
import type { NextRequest, NextResponse } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { operationPolicy, operationResponse, operationTarget, readJsonBody } from "@/lib/api/operations";
import { resendRequestSchema } from "@/lib/api/schemas/operations";
import { actorOf } from "@/lib/auth/actor";
import { fromPropertiesDto } from "@/lib/operations/properties";
import { resendMessage } from "@/lib/operations/replay";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest, context: { params: Promise<{ broker: string; queue: string; id: string }> }): Promise<NextResponse> {
  try {
    const actor = actorOf(request);
    const { broker, queue, id } = await context.params;
    const input = resendRequestSchema.parse(await readJsonBody(request));
    const body = input.body === undefined ? undefined : "text" in input.body ? new TextEncoder().encode(input.body.text) : new Uint8Array(Buffer.from(input.body.base64, "base64"));
    const result = await resendMessage(
      operationTarget(broker, queue),
      actor,
      { ...input, id, body, properties: input.properties === undefined ? undefined : fromPropertiesDto(input.properties) },
      operationPolicy(),
    );
    return operationResponse(result);
  } catch (error) {
    return errorResponse(error);
  }
}
