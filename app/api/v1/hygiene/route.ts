// GET /api/v1/hygiene — every broker's queue configuration checked: findings with their fix, and mutes.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { redactSecrets } from "@/lib/api/redact";
import { hygieneResponseSchema } from "@/lib/api/schemas/hygiene";
import { brokerVisibility } from "@/lib/auth/actor";
import { hygieneReport } from "@/lib/hygiene/report";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest): Promise<NextResponse> {
  try {
    const visible = brokerVisibility(request, "queues.read");
    const brokers = (await hygieneReport()).filter((broker) => visible(broker.name));
    const body = hygieneResponseSchema.parse({
      generatedAt: new Date().toISOString(),
      brokers: brokers.map((broker) => ({
        ...broker,
        error: broker.error === null ? null : redactSecrets(broker.error),
        findings: broker.findings.map((finding) => ({ ...finding, mute: finding.mute && { ...finding.mute, mutedAt: finding.mute.mutedAt.toISOString() } })),
      })),
    });
    return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
