// POST /api/v1/hygiene/mutes — mute a finding with a reason; DELETE — unmute it. Both audited.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { readJsonBody } from "@/lib/api/operations";
import { muteRequestSchema, unmuteRequestSchema, type MuteResponse, type UnmuteResponse } from "@/lib/api/schemas/hygiene";
import { actorOf } from "@/lib/auth/actor";
import { muteFinding, unmuteFinding } from "@/lib/hygiene/report";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest): Promise<NextResponse> {
  try {
    const input = muteRequestSchema.parse(await readJsonBody(request));
    const mute = await muteFinding(actorOf(request), input);
    return NextResponse.json({ ...input, mute: { ...mute, mutedAt: mute.mutedAt.toISOString() } } satisfies MuteResponse);
  } catch (error) {
    return errorResponse(error);
  }
}

export async function DELETE(request: NextRequest): Promise<NextResponse> {
  try {
    const input = unmuteRequestSchema.parse(await readJsonBody(request));
    return NextResponse.json({ ...input, unmuted: await unmuteFinding(actorOf(request), input) } satisfies UnmuteResponse);
  } catch (error) {
    return errorResponse(error);
  }
}
