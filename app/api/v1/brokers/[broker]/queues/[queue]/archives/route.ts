// GET /api/v1/brokers/:broker/queues/:queue/archives — purged messages of this DLQ still in the archive, newest first.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { archivesQuerySchema, archivesResponseSchema } from "@/lib/api/schemas/operations";
import { listArchives } from "@/lib/operations/purge";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest, context: { params: Promise<{ broker: string; queue: string }> }): Promise<NextResponse> {
  try {
    const { broker, queue } = await context.params;
    const query = archivesQuerySchema.parse(Object.fromEntries(request.nextUrl.searchParams));
    const page = await listArchives(broker, queue, { cursor: query.cursor ?? null, limit: query.limit });
    const body = archivesResponseSchema.parse({
      nextCursor: page.nextCursor,
      archives: page.archives.map((archive) => ({
        ...archive,
        archivedAt: archive.archivedAt.toISOString(),
        expiresAt: archive.expiresAt.toISOString(),
        restoredAt: archive.restoredAt?.toISOString() ?? null,
      })),
    });
    return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
