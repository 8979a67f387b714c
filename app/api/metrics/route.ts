// GET /api/metrics (and /metrics, rewritten here) — Prometheus exposition of DLQ depths and ages, broker status and operations, behind METRICS_TOKEN.
import { timingSafeEqual } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { ApiError } from "@/lib/api/api-error";
import { getConfig } from "@/lib/config";
import { renderMetrics } from "@/lib/metrics/exposition";

export const dynamic = "force-dynamic";

function authorized(request: NextRequest, token: string): boolean {
  const given = Buffer.from(request.headers.get("authorization") ?? "");
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function GET(request: NextRequest): Promise<NextResponse> {
  try {
    const { metricsToken } = getConfig();
    // Off unless a token is configured: queue names and depths are not for everyone on the network.
    if (!metricsToken) throw new ApiError("not-found", "metrics are off: set METRICS_TOKEN and scrape with Authorization: Bearer <token>");
    if (!authorized(request, metricsToken)) throw new ApiError("unauthenticated", "a valid bearer token (METRICS_TOKEN) is required");
    const { contentType, body } = await renderMetrics();
    return new NextResponse(body, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
