import "server-only";
// Route-handler helpers for the bulk replay and jobs routes: the JSON answer and the job of a URL.
import { NextResponse } from "next/server";
import type { JobView } from "@/lib/operations/bulk/model";

/** The job as JSON, never cached (the pages poll it). */
export function jobResponse(job: JobView, status = 200): NextResponse {
  return NextResponse.json({ job }, { status, headers: { "Cache-Control": "no-store" } });
}
