// GET /api/v1/tokens — the caller's API tokens (an admin's: everyone's), never their secrets.
// POST /api/v1/tokens — create a token for yourself (or, as an admin, a service account); the answer carries the secret, once.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { readJsonBody } from "@/lib/api/operations";
import { tokenCreateSchema, type TokenCreatedDto, type TokenListDto } from "@/lib/api/schemas/tokens";
import { createApiToken, listApiTokens, tokenCaller } from "@/lib/auth/tokens";

export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "no-store" };

export async function GET(request: NextRequest): Promise<NextResponse> {
  try {
    const body: TokenListDto = { tokens: await listApiTokens(tokenCaller(request)) };
    return NextResponse.json(body, { headers: NO_STORE });
  } catch (error) {
    return errorResponse(error);
  }
}

export async function POST(request: NextRequest): Promise<NextResponse> {
  try {
    const caller = tokenCaller(request);
    const input = tokenCreateSchema.parse(await readJsonBody(request));
    const body: TokenCreatedDto = await createApiToken(caller, input);
    return NextResponse.json(body, { status: 201, headers: NO_STORE });
  } catch (error) {
    return errorResponse(error);
  }
}
