// The bulk replay and jobs routes end to end on a real RabbitMQ queue pair: validation, plan (dry
// run), start through the job's own queue only, list, detail, pause, rate, resume and cancel.
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as plan } from "@/app/api/v1/brokers/[broker]/queues/[queue]/bulk-replays/route";
import { POST as start } from "@/app/api/v1/brokers/[broker]/queues/[queue]/bulk-replays/[id]/start/route";
import { GET as detail } from "@/app/api/v1/jobs/[id]/route";
import { POST as cancel } from "@/app/api/v1/jobs/[id]/cancel/route";
import { POST as pause } from "@/app/api/v1/jobs/[id]/pause/route";
import { POST as rate } from "@/app/api/v1/jobs/[id]/rate/route";
import { POST as resume } from "@/app/api/v1/jobs/[id]/resume/route";
import { createRabbitFixture, TEST_URL, type RabbitFixture } from "@/lib/brokers/rabbitmq/test-fixture";
import { stopJobs } from "@/lib/jobs/boss";
import { runBulkJob } from "@/lib/operations/bulk/runner";
import { setupTestDatabase } from "@/lib/operations/testing/database";
import { GET as list } from "./route";

setupTestDatabase("job_routes");

const BROKER = "jobs-rabbit";
let fixture: RabbitFixture;
const request = (path: string, body?: unknown) =>
  new NextRequest(`http://console.test${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
const params = <T extends Record<string, string>>(value: T) => ({ params: Promise.resolve(value) });

beforeAll(async () => {
  fixture = await createRabbitFixture();
  process.env.BROKERS = JSON.stringify({ brokers: [{ name: BROKER, kind: "rabbitmq", connection: { url: TEST_URL } }] });
  await fixture.deadLetter(["j-1", "j-2", "j-3"].map((messageId) => ({ messageId, body: new TextEncoder().encode(`{"id":"${messageId}"}`), contentType: "application/json" })));
});
afterAll(async () => {
  await stopJobs(5000);
  await fixture?.cleanup();
});

describe("bulk replay and jobs routes", () => {
  it("plans, starts only through its own queue, and is paused, re-rated, resumed and cancelled", async () => {
    const queue = { broker: BROKER, queue: fixture.dlq.id };
    const base = `/api/v1/brokers/${BROKER}/queues/${fixture.dlq.id}/bulk-replays`;
    expect((await plan(request(base, { operationId: "x", selection: { kind: "ids", ids: [] } }), params(queue))).status).toBe(400);

    const planned = await plan(request(base, { operationId: "bulk-route-0001", selection: { kind: "ids", ids: ["j-1", "j-2", "j-3", "gone"] }, settings: { canarySize: 0, ratePerSecond: 5 } }), params(queue));
    expect(planned.status).toBe(201);
    const { job } = (await planned.json()) as { job: { id: string; status: string; counts: { total: number }; summary: { missingAtPlan: number } } };
    expect(job).toMatchObject({ id: "bulk-route-0001", status: "planned", counts: { total: 3 }, summary: { missingAtPlan: 1 } });
    expect(await fixture.depth(fixture.source.id)).toBe(0);

    expect((await start(request(`${base}/${job.id}/start`, {}), params({ broker: BROKER, queue: "other.dlq", id: job.id }))).status).toBe(404);
    const started = await start(request(`${base}/${job.id}/start`, {}), params({ ...queue, id: job.id }));
    expect(started.status).toBe(202);
    expect(((await started.json()) as { job: { status: string } }).job.status).toBe("running");

    const listed = (await (await list(request("/api/v1/jobs"))).json()) as { jobs: { id: string }[] };
    expect(listed.jobs.map((row) => row.id)).toContain(job.id);
    const id = params({ id: job.id });
    expect(((await (await pause(request(`/api/v1/jobs/${job.id}/pause`, {}), id)).json()) as { job: { status: string } }).job.status).toBe("paused");
    expect((await rate(request(`/api/v1/jobs/${job.id}/rate`, { ratePerSecond: 0 }), id)).status).toBe(400);
    expect(((await (await rate(request(`/api/v1/jobs/${job.id}/rate`, { ratePerSecond: 7 }), id)).json()) as { job: { settings: { ratePerSecond: number } } }).job.settings.ratePerSecond).toBe(7);
    expect(((await (await resume(request(`/api/v1/jobs/${job.id}/resume`, {}), id)).json()) as { job: { status: string } }).job.status).toBe("running");
    expect(((await (await cancel(request(`/api/v1/jobs/${job.id}/cancel`, {}), id)).json()) as { job: { status: string } }).job.status).toBe("cancelling");
    // No worker runs in this process: run the job here; it ends the cancel without sending anything.
    await runBulkJob(job.id, { resolveAdapter: () => fixture.adapter, workerId: "route-test", leaseMs: 5000, returnScan: 100, returnCheckMs: 60_000 });
    const ended = (await (await detail(request(`/api/v1/jobs/${job.id}`), id)).json()) as { job: { status: string; counts: { done: number } }; failures: unknown[] };
    expect(ended).toMatchObject({ job: { status: "cancelled", counts: { done: 0 } }, failures: [] });
    expect(await fixture.depth(fixture.dlq.id)).toBe(3);
    expect((await detail(request("/api/v1/jobs/nope"), params({ id: "nope" }))).status).toBe(404);
  });
});
