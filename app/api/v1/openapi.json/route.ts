// GET /api/v1/openapi.json — the OpenAPI 3.1 document of /api/v1 (people read it at /api-docs).
import { NextResponse } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { openApiDocument } from "@/lib/api/openapi/document";

export const dynamic = "force-dynamic";

export function GET(): NextResponse {
  try {
    // Public (ROUTE_PERMISSIONS): the routes and schemas it describes are the console's source,
    // not its data; it names no broker, queue or user. Code generators and gateways fetch it
    // without credentials, and every route it describes still refuses them.
    return NextResponse.json(openApiDocument(), { headers: { "Cache-Control": "no-cache" } });
  } catch (error) {
    return errorResponse(error);
  }
}
