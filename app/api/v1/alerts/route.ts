// GET /api/v1/alerts — alert rules, each DLQ's state under them, and the latest webhook deliveries with their errors.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/api/errors";
import { alertsResponseSchema } from "@/lib/api/schemas/alerts";
import { listAlerts } from "@/lib/alerts/store";
import { brokerVisibility } from "@/lib/auth/actor";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest): Promise<NextResponse> {
  try {
    // Rules are console settings; what fired where is shown only for brokers the user may view.
    const visible = brokerVisibility(request, "queues.read");
    const alerts = await listAlerts();
    const body = { ...alerts, states: alerts.states.filter((state) => visible(state.broker)), deliveries: alerts.deliveries.filter((delivery) => visible(delivery.broker)) };
    return NextResponse.json(alertsResponseSchema.parse(body), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
