// DELETE /api/v1/tokens/:id — revoke an API token (its owner or an admin); it stops working at once. Audited.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { revokeApiToken, tokenCaller } from "@/lib/auth/tokens";

export const dynamic = "force-dynamic";

export async function DELETE(request: NextRequest, context: { params: Promise<{ id: string }> }): Promise<NextResponse> {
  try {
    const { id } = await context.params;
    return NextResponse.json({ token: await revokeApiToken(tokenCaller(request), id) }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
