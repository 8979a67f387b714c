// GET /api/v1/queues — every DLQ of every broker: depth, last-hour trend, top failure (from the index); a down broker is reported, not fatal.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { redactSecrets } from "@/lib/api/redact";
import { queuesResponseSchema, type QueuesResponse } from "@/lib/api/schemas/queues";
import { brokerVisibility } from "@/lib/auth/actor";
import { listOverview } from "@/lib/brokers/overview";
import { orNullWhenDatabaseFails } from "@/lib/db/optional";
import { sampleAndReadTrends, trendKey } from "@/lib/triage/depth-samples";
import { topFailures } from "@/lib/triage/index-query";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest): Promise<NextResponse> {
  try {
    // Only the brokers this user may view: a grant of "viewer on staging" shows no prod queue.
    const visible = brokerVisibility(request, "queues.read");
    const brokers = (await listOverview()).filter((broker) => visible(broker.name));
    const depths = brokers.flatMap((broker) => broker.queues.map((queue) => ({ broker: broker.name, queueId: queue.id, depth: queue.depth })));
    const [trends, top] = await Promise.all([sampleAndReadTrends(depths), orNullWhenDatabaseFails("top failures", () => topFailures(depths))]);
    const body: QueuesResponse = queuesResponseSchema.parse({
      generatedAt: new Date().toISOString(),
      brokers: brokers.map((broker) => ({
        ...broker,
        capabilities: broker.capabilities ? { ...broker.capabilities, browseSideEffects: [...broker.capabilities.browseSideEffects] } : null,
        error: broker.error ? { code: broker.error.code, message: redactSecrets(broker.error.message) } : null,
        queues: broker.queues.map((queue) => ({
          ...queue,
          depthDetail: queue.depthDetail ?? null,
          sources: queue.sources.map(({ id, name }) => ({ id, name })),
          oldestMessageAt: queue.oldestMessageAt?.toISOString() ?? null,
          trend: trends?.get(trendKey(broker.name, queue.id)) ?? null,
          topFailure: top?.get(trendKey(broker.name, queue.id)) ?? null,
        })),
      })),
    });
    return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
