// POST /api/v1/brokers/:broker/queues/:queue/preview — where a replay of these messages would land; nothing is sent.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { operationTarget, readJsonBody } from "@/lib/api/operations";
import { previewRequestSchema, previewResponseSchema } from "@/lib/api/schemas/operations";
import { previewReplay } from "@/lib/operations/replay";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest, context: { params: Promise<{ broker: string; queue: string }> }): Promise<NextResponse> {
  try {
    const { broker, queue } = await context.params;
    const input = previewRequestSchema.parse(await readJsonBody(request));
    const preview = await previewReplay(operationTarget(broker, queue), input.ids, input.destination);
    const body = previewResponseSchema.parse({
      ...preview,
      routes: preview.routes.map((route) => ({
        sendTo: { id: route.sendTo.id, name: route.sendTo.name },
        receivers: route.receivers.map(({ id, name }) => ({ id, name })),
        changes: [...route.changes],
        blocked: route.blocked,
        messageIds: [...route.messageIds],
      })),
      missing: [...preview.missing],
    });
    return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
