// The operation routes end to end on a real RabbitMQ queue pair: validation, the prod reason
// policy, repeats, the purge confirmation, the audited message view with the console's history,
// and the audit list and verify routes.
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listAudit } from "@/app/api/v1/audit/route";
import { GET as verifyAudit } from "@/app/api/v1/audit/verify/route";
import { GET as getMessage } from "@/app/api/v1/brokers/[broker]/queues/[queue]/messages/[id]/route";
import { POST as resend } from "@/app/api/v1/brokers/[broker]/queues/[queue]/messages/[id]/resend/route";
import { POST as purge } from "@/app/api/v1/brokers/[broker]/queues/[queue]/purge/route";
import { createRabbitFixture, TEST_URL, type RabbitFixture } from "@/lib/brokers/rabbitmq/test-fixture";
import { setupTestDatabase } from "@/lib/operations/testing/database";
import { POST as replay } from "./route";

setupTestDatabase("routes");

const BROKER = "routes-rabbit";
let fixture: RabbitFixture;

const post = (path: string, body: unknown) =>
  new NextRequest(`http://console.test${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", "x-forwarded-for": "192.0.2.9", "user-agent": "route-test" } });
const params = <T extends Record<string, string>>(value: T) => ({ params: Promise.resolve(value) });

beforeAll(async () => {
  fixture = await createRabbitFixture();
  // A prod-labelled broker: every operation needs a reason (REASON_REQUIRED_ENVIRONMENTS default).
  process.env.BROKERS = JSON.stringify({ brokers: [{ name: BROKER, kind: "rabbitmq", environment: "prod", connection: { url: TEST_URL } }] });
  await fixture.deadLetter([
    { messageId: "route-1", body: new TextEncoder().encode('{"n":1}'), contentType: "application/json" },
    { messageId: "route-2", body: new TextEncoder().encode('{"n":2}'), contentType: "application/json" },
  ]);
});
afterAll(async () => {
  await fixture?.cleanup();
});

describe("operation routes", () => {
  const queue = () => ({ broker: BROKER, queue: fixture.dlq.id });

  it("answers 400 for an invalid body, 422 without a reason on prod, then replays once for a repeated id", async () => {
    expect((await replay(post("/replay", { ids: [] }), params(queue()))).status).toBe(400);
    const operationId = "route-op-0001";
    const refused = await replay(post("/replay", { operationId, ids: ["route-1"] }), params(queue()));
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ error: { code: "unprocessable", message: expect.stringContaining("reason or ticket") } });

    const first = await replay(post("/replay", { operationId, ids: ["route-1"], reason: "fixed in 1.2.3" }), params(queue()));
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ repeated: false, operation: { status: "succeeded", actor: "local-admin", reason: "fixed in 1.2.3" } });
    const again = await replay(post("/replay", { operationId, ids: ["route-1"], reason: "fixed in 1.2.3" }), params(queue()));
    expect(await again.json()).toMatchObject({ repeated: true });
    expect(await fixture.depth(fixture.source.id)).toBe(1);
  });

  it("records the payload view and shows the console's own earlier edit in the message history", async () => {
    const edited = await resend(
      post("/resend", { operationId: "route-op-0002", body: { text: '{"n":2,"fixed":true}' }, keepOriginal: true, ticket: "INC-7" }),
      params({ ...queue(), id: "route-2" }),
    );
    expect(edited.status).toBe(200);
    const view = await getMessage(new NextRequest("http://console.test/m", { headers: { "user-agent": "route-test" } }), params({ ...queue(), id: "route-2" }));
    expect(view.status).toBe(200);
    const { message } = (await view.json()) as { message: { history: Array<{ kind: string; detail: string | null }> } };
    expect(message.history.at(-1)).toMatchObject({ kind: "edited", detail: expect.stringContaining("route-op-0002") });

    const audit = await listAudit(new NextRequest(`http://console.test/api/v1/audit?action=message&messageId=route-2`));
    const { entries } = (await audit.json()) as { entries: Array<{ action: string; actor: string; userAgent: string }> };
    expect(entries).toEqual([expect.objectContaining({ action: "message.view", actor: "local-admin", userAgent: "route-test" })]);
  });

  it("refuses a purge whose confirmation is not the queue name, and verifies the chain", async () => {
    const wrong = await purge(post("/purge", { operationId: "route-op-0003", all: true, confirm: "nope", reason: "junk" }), params(queue()));
    expect(wrong.status).toBe(400);
    const both = await purge(post("/purge", { operationId: "route-op-0004", all: true, ids: ["route-2"], confirm: fixture.dlq.id }), params(queue()));
    expect(both.status).toBe(400);
    const refusals = await listAudit(new NextRequest("http://console.test/api/v1/audit?action=purge.refused"));
    expect(((await refusals.json()) as { entries: unknown[] }).entries).toHaveLength(1);
    expect(await (await verifyAudit()).json()).toMatchObject({ ok: true });
  });
});
