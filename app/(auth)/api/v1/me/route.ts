// GET /api/v1/me — the signed-in user's role and permissions on each broker, so the UI can hide what they cannot do.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import type { MeResponse } from "@/lib/api/schemas/me";
import { requireActor } from "@/lib/auth/request-actor";
import { canGlobally, globalRole, PERMISSIONS, roleOn, can, type Permission } from "@/lib/auth/roles";
import { getConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function GET(request: NextRequest): NextResponse {
  try {
    const actor = requireActor(request.headers);
    const brokers = getConfig().brokers.map(({ name, environment }) => {
      const scope = { name, environment: environment ?? null };
      return { name, environment: scope.environment, role: roleOn(actor.grants, scope), permissions: ALL_PERMISSIONS.filter((permission) => can(actor.grants, permission, scope)) };
    });
    const everywhere = { role: globalRole(actor.grants), permissions: ALL_PERMISSIONS.filter((permission) => canGlobally(actor.grants, permission)) };
    return NextResponse.json({ id: actor.id, global: everywhere, brokers } satisfies MeResponse, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
