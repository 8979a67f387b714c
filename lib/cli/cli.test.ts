// The `dlq` CLI as a pipeline runs it: bin/dlq.mjs in a child process against a small real HTTP
// server (node:http) that answers like the console's routes. Every answer the fake gives is parsed
// with the console's own zod schemas first, so the fake cannot drift from the real API shapes.
import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { z } from "zod";
import { auditPageSchema } from "@/lib/api/schemas/audit";
import { jobDetailResponseSchema, jobResponseSchema, type JobDto } from "@/lib/api/schemas/jobs";
import { indexPageSchema } from "@/lib/api/schemas/message-index";
import { messageResponseSchema } from "@/lib/api/schemas/messages";
import { operationResponseSchema } from "@/lib/api/schemas/operations";
import { queuesResponseSchema, type BrokerOverviewDto, type DeadLetterQueueDto, type QueuesResponse } from "@/lib/api/schemas/queues";

const BIN = path.join(process.cwd(), "bin", "dlq.mjs");
const TOKEN = "dlq_test_token_0123456789";

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly body: unknown;
}
type Answer = { status: number; body: unknown };
type Handler = (request: Recorded) => Answer;

let server: Server;
let baseUrl: string;
let routes = new Map<string, Handler>();
let requests: Recorded[] = [];

function route<T>(method: string, pathname: string, schema: z.ZodType<T> | null, answer: (request: Recorded) => T | Answer) {
  routes.set(`${method} ${pathname}`, (request) => {
    const result = answer(request);
    if (result && typeof result === "object" && "status" in result && "body" in result && typeof result.status === "number") return result as Answer;
    return { status: method === "POST" ? 201 : 200, body: schema ? schema.parse(result) : result };
  });
}

const apiError = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message, details: null } } });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const text = Buffer.concat(chunks).toString("utf8");
      const recorded: Recorded = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body: text ? JSON.parse(text) : null };
      requests.push(recorded);
      const handler = routes.get(`${recorded.method} ${recorded.path}`);
      const answer = handler ? handler(recorded) : apiError(404, "not-found", `no API route ${recorded.method} ${recorded.path}`);
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  routes = new Map();
  requests = [];
  route("GET", "/api/v1/queues", queuesResponseSchema, () => OVERVIEW);
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function dlq(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, DLQ_URL: baseUrl, DLQ_TOKEN: TOKEN, DLQ_RETRIES: "0", DLQ_POLL_MS: "20", ...env }, encoding: "utf8", timeout: 20_000 },
      (error, stdout: string, stderr: string) => resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

const queue = (id: string, depth: number, extra: Partial<DeadLetterQueueDto> = {}): DeadLetterQueueDto => ({
  id,
  name: id,
  depth,
  depthDetail: null,
  consumers: 0,
  sources: [{ id: id.replace(/\.dlq$/, ""), name: id.replace(/\.dlq$/, "") }],
  ordered: false,
  maxDeliveryCount: null,
  oldestMessageAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
  details: {},
  trend: null,
  topFailure: null,
  ...extra,
});

const broker = (name: string, kind: BrokerOverviewDto["kind"], queues: DeadLetterQueueDto[]): BrokerOverviewDto => ({ name, kind, environment: "staging", status: "ok", error: null, capabilities: null, queues });

const OVERVIEW: QueuesResponse = {
  generatedAt: new Date().toISOString(),
  brokers: [
    broker("rabbit", "rabbitmq", [queue("orders.dlq", 1200, { topFailure: { label: "Order <n> not found", count: 900, indexed: 1200 } }), queue("shared.dlq", 3)]),
    broker("sqs", "sqs", [queue("shared.dlq", 5), queue("payments-dlq", 0, { oldestMessageAt: null })]),
    { name: "bus", kind: "servicebus", environment: "prod", status: "down", error: { code: "unavailable", message: "connect ECONNREFUSED" }, capabilities: null, queues: [] },
  ],
};

const SETTINGS = { ratePerSecond: 200, concurrency: 1, batchSize: 100, canarySize: 10, canaryWindowMs: 30_000, returnThreshold: 0.05, failureThreshold: 0.1 };

function job(overrides: Omit<Partial<JobDto>, "counts"> & { counts?: Partial<JobDto["counts"]> } = {}): JobDto {
  const { counts, ...rest } = overrides;
  return {
    id: "cli-job-1",
    actor: "ci@example.com",
    broker: "rabbit",
    queueId: "orders.dlq",
    selection: { kind: "group", group: "3f9a0c1b2d4e" },
    destination: null,
    reason: null,
    ticket: null,
    status: "planned",
    phase: "canary",
    statusReason: null,
    settings: SETTINGS,
    counts: { total: 903, done: 0, failed: 0, skipped: 0, remaining: 903, returned: 0, ...counts },
    currentRate: null,
    etaSeconds: null,
    summary: {
      total: 903,
      byGroup: [
        { id: "3f9a0c1b2d4e", label: "Order <n> not found in catalog", count: 900 },
        { id: "aa11bb22cc33", label: "Timeout calling tax-service", count: 3 },
      ],
      byDestination: [
        { sendTo: "orders", count: 902 },
        { sendTo: null, count: 1 },
      ],
      partitionKeys: 0,
      routes: [{ sendTo: { id: "orders", name: "orders" }, receivers: [{ id: "orders", name: "orders" }], changes: ["keeps the message id", "adds x-dlq-replayed-by"], blocked: null, count: 902 }],
      missingAtPlan: 2,
      missingExamples: ["m-17", "m-18"],
      unreadAtPlan: 0,
      blocked: null,
    },
    workerId: null,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    updatedAt: new Date().toISOString(),
    ...rest,
  };
}

const PLAN_PATH = "/api/v1/brokers/rabbit/queues/orders.dlq/bulk-replays";

describe("dlq: arguments, help and exit codes", () => {
  it("prints help with the exit codes, per command too, and exits 0", async () => {
    const main = await dlq(["--help"], { DLQ_URL: "", DLQ_TOKEN: "" });
    expect(main.code).toBe(0);
    for (const command of ["queues", "messages", "show", "replay", "purge", "audit"]) expect(main.stdout).toContain(`  ${command} `);
    expect(main.stdout).toMatch(/Exit codes:[\s\S]*7 {2}--wait: the job paused/);
    const replay = await dlq(["replay", "--help"], { DLQ_URL: "", DLQ_TOKEN: "" });
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain("Usage: dlq replay <queue> (--ids a,b | --group FP | --filter TEXT)");
    expect(replay.stdout).toContain("--dry-run");
    expect(replay.stdout).toContain("Exit codes:");
    expect(requests).toHaveLength(0);
  });

  it("exits 2 for usage errors, before any request", async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["frobnicate"], {}, /unknown command "frobnicate"/],
      [["replay", "orders.dlq", "--group", "x", "--bogus"], {}, /Unknown option '--bogus'/],
      [["replay", "orders.dlq"], {}, /say what to replay/],
      [["replay", "orders.dlq", "--ids", "a", "--group", "g"], {}, /--ids, or --group/],
      [["replay", "orders.dlq", "--group", "g", "--rate", "fast"], {}, /--rate must be a whole number/],
      [["show", "orders.dlq"], {}, /show takes <queue> <id>/],
      [["audit", "--since", "yesterday"], {}, /--since takes a duration/],
      [["queues"], { DLQ_URL: "" }, /no console URL: set DLQ_URL or pass --url/],
      [["queues"], { DLQ_TOKEN: "" }, /no API token: set DLQ_TOKEN or pass --token/],
    ];
    for (const [args, env, message] of cases) {
      const run = await dlq(args, env);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toMatch(message);
    }
    expect(requests).toHaveLength(0);
  });

  it("sends the token as a bearer token and shows the console's 401/403 message with exit 3", async () => {
    route("GET", "/api/v1/queues", null, () => apiError(401, "unauthenticated", "API token refused: expired"));
    const refused = await dlq(["queues"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("401 API token refused: expired");
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(requests[0]?.headers["user-agent"]).toMatch(/^dlq-cli\//);

    route("GET", "/api/v1/queues", queuesResponseSchema, () => OVERVIEW);
    route("POST", PLAN_PATH, null, () => apiError(403, "forbidden", "the token's role does not allow messages.replay on rabbit"));
    const forbidden = await dlq(["replay", "rabbit/orders.dlq", "--group", "3f9a0c1b2d4e", "--json"]);
    expect(forbidden.code).toBe(3);
    expect(JSON.parse(forbidden.stdout)).toMatchObject({ error: { exitCode: 3, status: 403, code: "forbidden", message: "403 the token's role does not allow messages.replay on rabbit" } });
  });

  it("exits 5 when the console is down, after retrying with backoff", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await dlq(["queues"], { DLQ_URL: `http://127.0.0.1:${port}`, DLQ_RETRIES: "1" });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`cannot reach the console at http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  it("retries a 503 and then succeeds", async () => {
    let calls = 0;
    route("GET", "/api/v1/queues", queuesResponseSchema, () => (++calls < 2 ? apiError(503, "broker-unavailable", "restarting") : OVERVIEW));
    const run = await dlq(["queues", "--json"], { DLQ_RETRIES: "2" });
    expect(run.code).toBe(0);
    expect(calls).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual(OVERVIEW);
  });
});

describe("dlq: queues and resolving a queue name", () => {
  it("lists broker, queue, depth and age of the oldest, and the brokers that are down", async () => {
    const run = await dlq(["queues"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^BROKER\s+QUEUE\s+DEPTH\s+OLDEST\s+TOP FAILURE$/);
    expect(lines.find((line) => line.includes("orders.dlq"))).toMatch(/^rabbit\s+orders\.dlq\s+1,200\s+3 h\s+Order <n> not found \(900\)$/);
    expect(lines.find((line) => line.includes("payments-dlq"))).toMatch(/^sqs\s+payments-dlq\s+0\s+-$/);
    expect(run.stdout).toContain("! bus is down: connect ECONNREFUSED");
  });

  it("exits 4 for an unknown queue (with close names) and for an ambiguous one (with the candidates)", async () => {
    const unknown = await dlq(["messages", "orders"]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('no dead-letter queue "orders"; did you mean rabbit/orders.dlq?');
    expect(unknown.stderr).toContain("not searched (down): bus");

    const ambiguous = await dlq(["messages", "shared.dlq"]);
    expect(ambiguous.code).toBe(4);
    expect(ambiguous.stderr).toContain('"shared.dlq" matches 2 queues: rabbit/shared.dlq, sqs/shared.dlq');

    const noBroker = await dlq(["messages", "shared.dlq", "--broker", "kafka"]);
    expect(noBroker.code).toBe(4);
    expect(noBroker.stderr).toContain('no broker "kafka"; the console has: rabbit, sqs, bus');

    const down = await dlq(["messages", "x.dlq", "--broker", "bus"]);
    expect(down.code).toBe(5);
    expect(down.stderr).toContain("broker bus is down");
    expect(requests.every((request) => request.path === "/api/v1/queues")).toBe(true);
  });

  it("takes <broker>/<queue> or --broker to pick one", async () => {
    const page = { broker: { name: "sqs", kind: "sqs", capabilities: CAPABILITIES }, queueId: "shared.dlq", messages: [], nextCursor: null, warnings: ["a read increments the receive count"] };
    route("GET", "/api/v1/brokers/sqs/queues/shared.dlq/messages", null, () => page);
    for (const args of [["sqs/shared.dlq"], ["shared.dlq", "--broker", "sqs"]]) {
      const run = await dlq(["messages", ...args]);
      expect(run.code, args.join(" ")).toBe(0);
      expect(run.stdout).toContain("sqs/shared.dlq is empty.");
      expect(run.stderr).toContain("note: a read increments the receive count");
    }
  });
});

const CAPABILITIES = { truePeek: false, browseSideEffects: [], orderedPartitions: false, preservesMessageId: true, nativeRedrive: false, batchDelete: false, binaryBodies: true, maxMessageBytes: 1 };

describe("dlq replay", () => {
  it("--dry-run sends the UI's plan request, prints the plan in the UI's words, and starts nothing", async () => {
    const planned = job();
    route("POST", PLAN_PATH, jobResponseSchema, () => ({ job: planned }));
    const run = await dlq(["replay", "rabbit/orders.dlq", "--group", "3f9a0c1b2d4e", "--rate", "200", "--dry-run"]);
    expect(run.code).toBe(0);
    const plan = requests.find((request) => request.path === PLAN_PATH);
    expect(plan?.body).toMatchObject({ selection: { kind: "group", group: "3f9a0c1b2d4e" }, settings: { ratePerSecond: 200 } });
    expect((plan?.body as { operationId: string }).operationId).toMatch(/^cli-[0-9a-f-]{36}$/);
    expect(requests.some((request) => request.path.endsWith("/start"))).toBe(false);
    expect(run.stdout).toContain("903 messages frozen in the plan · 2 selected messages were already gone. Messages that arrive later are not part of it.");
    expect(run.stdout).toMatch(/By failure group\n {2}Order <n> not found in catalog \[3f9a0c1b2d4e\]\s+900\n {2}Timeout calling tax-service \[aa11bb22cc33\]\s+3\n/);
    expect(run.stdout).toMatch(/By destination\n {2}orders\s+902\n {2}\(unknown source\)\s+1\n/);
    expect(run.stdout).toContain("Sent to orders → received by orders\n  - keeps the message id\n  - adds x-dlq-replayed-by");
    expect(run.stdout).toContain("The first 10 go first; the rest follow only if none comes back to the DLQ within 30 s. At most 200 messages per second; pauses by itself above 5% coming back or 10% failing.");

    const json = await dlq(["replay", "rabbit/orders.dlq", "--filter", "catalog", "--group", "3f9a0c1b2d4e", "--dry-run", "--json", "--operation-id", "pipeline-run-42"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ job: planned });
    expect(requests.at(-1)?.body).toEqual({ operationId: "pipeline-run-42", selection: { kind: "filter", text: "catalog", group: "3f9a0c1b2d4e", from: null, to: null } });
  });

  it("refuses a blocked plan (exit 6) without starting it", async () => {
    route("POST", PLAN_PATH, jobResponseSchema, () => ({ job: job({ summary: { ...job().summary, blocked: "the destination is a topic with 3 subscriptions; pass allowFanOut" } }) }));
    route("POST", `${PLAN_PATH}/cli-job-1/start`, null, () => apiError(500, "internal", "must not be called"));
    const run = await dlq(["replay", "orders.dlq", "--ids", "m-1,m-2", "--wait"]);
    expect(run.code).toBe(6);
    expect(run.stdout).toContain("Cannot run: the destination is a topic with 3 subscriptions");
    expect(run.stderr).toContain("the plan cannot run");
    expect(requests.find((request) => request.path === PLAN_PATH)?.body).toMatchObject({ selection: { kind: "ids", ids: ["m-1", "m-2"] } });
    expect(requests.some((request) => request.path.endsWith("/start"))).toBe(false);
  });

  it("shows the console's refusal of a plan (exit 6)", async () => {
    route("POST", PLAN_PATH, null, () => apiError(422, "unprocessable", "this DLQ has not been indexed yet: refresh its index, then select a group or a filter"));
    const run = await dlq(["replay", "orders.dlq", "--group", "nope"]);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain("422 this DLQ has not been indexed yet");
  });

  /** A job that moves through `states` on successive GETs, then stays at the last. */
  function jobSequence(states: JobDto[]) {
    let reads = 0;
    route("POST", PLAN_PATH, jobResponseSchema, () => ({ job: job() }));
    route("POST", `${PLAN_PATH}/cli-job-1/start`, jobResponseSchema, () => ({ job: states[0]! }));
    route("GET", "/api/v1/jobs/cli-job-1", jobDetailResponseSchema, () => ({ job: states[Math.min(reads++, states.length - 1)]!, failures: [], nextCursor: null }));
  }

  it("--wait follows the job with plain lines when not on a terminal and exits 0 when it completed", async () => {
    jobSequence([
      job({ status: "running", phase: "canary", counts: { done: 0, remaining: 903 } }),
      job({ status: "running", phase: "main", counts: { done: 400, remaining: 503 }, currentRate: 198, etaSeconds: 3 }),
      job({ status: "completed", phase: "main", counts: { done: 901, skipped: 2, remaining: 0 } }),
    ]);
    const run = await dlq(["replay", "orders.dlq", "--group", "3f9a0c1b2d4e", "--wait"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("running · canary: 0 done · 0 failed · 0 skipped · 903 remaining of 903 · 200 msg/s");
    expect(run.stderr).toContain("completed: 901 done · 0 failed · 2 skipped · 0 remaining of 903 · limit 200 msg/s");
    expect(run.stderr).not.toContain("\r");
    expect(run.stdout).toContain("Completed: 901 replayed, 2 skipped (already gone).");
  });

  it("--wait exits 7 when the job auto-pauses, with the reason", async () => {
    const reason = "canary: 10 of 10 replayed messages came back to the DLQ within the watch window";
    jobSequence([job({ status: "running", phase: "canary" }), job({ status: "paused", phase: "canary", statusReason: reason, counts: { done: 10, returned: 10, remaining: 893 } })]);
    const run = await dlq(["replay", "orders.dlq", "--group", "3f9a0c1b2d4e", "--wait"]);
    expect(run.code).toBe(7);
    expect(run.stdout).toContain(`Paused: ${reason}.`);
    expect(run.stdout).toContain(`Job: ${baseUrl}/jobs/cli-job-1`);
    expect(run.stderr).toContain("10 came back to the DLQ");
  });

  it("--wait exits 7 when the job is cancelled and 8 when messages failed", async () => {
    jobSequence([job({ status: "running" }), job({ status: "cancelling" }), job({ status: "cancelled", statusReason: "cancelled by ada@example.com" })]);
    const cancelled = await dlq(["replay", "orders.dlq", "--group", "g", "--wait", "--json"]);
    expect(cancelled.code).toBe(7);
    expect(JSON.parse(cancelled.stdout).job.status).toBe("cancelled");

    jobSequence([job({ status: "running" }), job({ status: "completed", counts: { done: 900, failed: 3, remaining: 0 } })]);
    const failed = await dlq(["replay", "orders.dlq", "--group", "g", "--wait"]);
    expect(failed.code).toBe(8);
    expect(failed.stdout).toContain("Completed, but 3 of 903 messages failed to replay and are still in the DLQ.");
  });

  it("a re-run with the same --operation-id follows the job it made instead of starting it again", async () => {
    const finished = job({ status: "completed", counts: { done: 903, remaining: 0 } });
    route("POST", PLAN_PATH, jobResponseSchema, () => ({ job: finished }));
    route("POST", `${PLAN_PATH}/cli-job-1/start`, null, () => apiError(500, "internal", "must not be called"));
    route("GET", "/api/v1/jobs/cli-job-1", jobDetailResponseSchema, () => ({ job: finished, failures: [], nextCursor: null }));
    const run = await dlq(["replay", "orders.dlq", "--group", "g", "--operation-id", "deploy-77", "--wait"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Job cli-job-1 already ran for this operation id (completed); not started again");
    expect(run.stdout).toContain("Completed: 903 replayed, 0 skipped (already gone).");
    expect(requests.some((request) => request.path.endsWith("/start"))).toBe(false);
  });

  it("without --wait starts the job and says how to follow it", async () => {
    jobSequence([job({ status: "running" })]);
    const run = await dlq(["replay", "orders.dlq", "--group", "g", "--reason", "fix deployed", "--ticket", "INC-7"]);
    expect(run.code).toBe(0);
    expect(requests.find((request) => request.path === PLAN_PATH)?.body).toMatchObject({ reason: "fix deployed", ticket: "INC-7" });
    expect(run.stdout).toContain(`Started 903 messages as job cli-job-1: ${baseUrl}/jobs/cli-job-1`);
    expect(run.stdout).toContain("dlq job cli-job-1 --wait");
  });
});

describe("dlq messages", () => {
  const summary = (id: string, minutesAgo: number) => ({
    id,
    messageId: id,
    enqueuedAt: null,
    deadLetteredAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    reason: "rejected",
    description: "Order 5001 not found in catalog",
    attempts: { count: 3, cap: 5 },
    source: { id: "orders", name: "orders" },
    partitionKey: null,
    contentType: "application/json",
    size: 20,
    fingerprint: { id: "3f9a0c1b2d4e", label: "rejected: Order <n> not found in catalog" },
    preview: null,
  });

  it("--filter searches the index and lists the failure groups with the fingerprints replay --group takes", async () => {
    route("GET", "/api/v1/brokers/rabbit/queues/orders.dlq/index", indexPageSchema, () => ({
      queueId: "orders.dlq",
      state: { status: "idle" as const, startedAt: "2026-12-01T20:59:00.000Z", finishedAt: "2026-12-01T21:00:00.000Z", indexed: 1200, error: null },
      total: 2,
      groups: [{ id: "3f9a0c1b2d4e", label: "rejected: Order <n> not found in catalog", count: 2, exampleId: "m-1" }],
      messages: [summary("m-1", 120), summary("m-2", 5)],
      nextCursor: null,
    }));
    const run = await dlq(["messages", "rabbit/orders.dlq", "--filter", "catalog", "--limit", "20"]);
    expect(run.code, run.stderr).toBe(0);
    expect(requests.at(-1)?.query.get("text")).toBe("catalog");
    expect(requests.at(-1)?.query.get("limit")).toBe("20");
    expect(run.stdout).toContain("Index of 1,200 messages, as of 2026-12-01 21:00:00Z; 2 match.");
    expect(run.stdout).toMatch(/GROUP\s+COUNT\s+FAILURE\n3f9a0c1b2d4e\s+2\s+rejected: Order <n> not found in catalog/);
    expect(run.stdout).toMatch(/ID\s+AGE\s+ATTEMPTS\s+GROUP\s+REASON\nm-1\s+2 h\s+3\/5\s+3f9a0c1b2d4e\s+rejected\nm-2\s+5 min\s+3\/5/);
  });

  it("refuses to search a DLQ that was never indexed (exit 6) and says how", async () => {
    route("GET", "/api/v1/brokers/rabbit/queues/orders.dlq/index", indexPageSchema, () => ({
      queueId: "orders.dlq",
      state: { status: "idle" as const, startedAt: null, finishedAt: null, indexed: 0, error: null },
      total: 0,
      groups: [],
      messages: [],
      nextCursor: null,
    }));
    const run = await dlq(["messages", "rabbit/orders.dlq", "--group", "3f9a0c1b2d4e"]);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain("has not been indexed yet");
    expect(run.stderr).toContain("--refresh-index");
  });
});

describe("dlq purge, show, audit", () => {
  it("purge refuses unless --confirm is the queue's name; then purges all, archived first", async () => {
    route("POST", "/api/v1/brokers/rabbit/queues/orders.dlq/purge", operationResponseSchema, (request) => ({
      operation: {
        id: (request.body as { operationId: string }).operationId,
        kind: "purge",
        status: "succeeded" as const,
        actor: "ci@example.com",
        broker: "rabbit",
        queueId: "orders.dlq",
        reason: null,
        ticket: null,
        createdAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        result: { outcomes: [{ id: "m-1", status: "removed", archiveId: "1" }, { id: "m-2", status: "removed", archiveId: "2" }] },
      },
      repeated: false,
    }));
    const wrong = await dlq(["purge", "rabbit/orders.dlq", "--confirm", "orders"]);
    expect(wrong.code).toBe(6);
    expect(wrong.stderr).toContain('type --confirm "orders.dlq" to purge rabbit/orders.dlq');
    expect(requests.some((request) => request.path.endsWith("/purge"))).toBe(false);

    const missing = await dlq(["purge", "rabbit/orders.dlq"]);
    expect(missing.code).toBe(2);

    const run = await dlq(["purge", "rabbit/orders.dlq", "--confirm", "orders.dlq"]);
    expect(run.code).toBe(0);
    expect(requests.find((request) => request.path.endsWith("/purge"))?.body).toMatchObject({ all: true, confirm: "orders.dlq" });
    expect(run.stdout).toContain("succeeded; 2 removed.");
    expect(run.stdout).toContain("archived before it was removed");
  });

  it("show prints failure, history and the payload with its numbers as written, control characters escaped", async () => {
    const body = '{"orderId":12345678901234567890,"items":[],"note":"a\\u001b[31mred"}';
    route("GET", "/api/v1/brokers/rabbit/queues/orders.dlq/messages/m%201", messageResponseSchema, () => ({
      broker: { name: "rabbit", kind: "rabbitmq", capabilities: CAPABILITIES },
      queueId: "orders.dlq",
      message: {
        id: "m 1",
        messageId: "order-5001",
        enqueuedAt: "2026-12-01T08:00:00.000Z",
        deadLetteredAt: "2026-12-01T08:00:05.000Z",
        reason: "rejected \u001b]0;pwned\u0007",
        description: "Order 5001 not found in catalog",
        attempts: { count: 3, cap: 5 },
        source: { id: "orders", name: "orders" },
        partitionKey: null,
        contentType: "application/json",
        size: Buffer.byteLength(body),
        fingerprint: { id: "3f9a0c1b2d4e", label: "rejected: Order <n> not found in catalog" },
        preview: null,
        contentEncoding: null,
        body: { base64: Buffer.from(body).toString("base64"), text: body, truncated: false, redacted: false },
        properties: { "x-tenant": { type: "string" as const, value: "acme" } },
        systemProperties: {},
        history: [{ kind: "dead-lettered" as const, at: "2026-12-01T08:00:05.000Z", queue: "orders", reason: "rejected", count: 3, detail: null }],
      },
    }));
    const run = await dlq(["show", "orders.dlq", "m 1"]);
    expect(run.code).toBe(0);
    expect(requests.at(-1)?.path).toBe("/api/v1/brokers/rabbit/queues/orders.dlq/messages/m%201");
    expect(run.stdout).toContain("reason         rejected \\u001b]0;pwned\\u0007");
    expect(run.stdout).not.toContain("\u001b");
    expect(run.stdout).toContain("attempts       3 of 5");
    expect(run.stdout).toContain("2026-12-01 08:00:05Z  dead-lettered orders rejected ×3");
    expect(run.stdout).toContain('x-tenant: "acme"');
    expect(run.stdout).toContain('{\n  "orderId": 12345678901234567890,\n  "items": [],\n  "note": "a\\u001b[31mred"\n}');

    const raw = await dlq(["show", "orders.dlq", "m 1", "--raw"]);
    expect(raw.stdout).toBe(body);
  });

  it("audit --since 1h asks for the last hour and prints who did what", async () => {
    route("GET", "/api/v1/audit", auditPageSchema, () => ({
      entries: [
        {
          id: "41",
          at: "2026-12-01T21:00:00.000Z",
          actor: "ci@example.com",
          action: "bulk-replay.start",
          operationId: "cli-job-1",
          broker: "rabbit",
          queueId: "orders.dlq",
          messageIds: [],
          request: {},
          outcome: {},
          clientIp: null,
          userAgent: "dlq-cli/0.1.0",
          previousHash: "a",
          hash: "b",
        },
      ],
      nextCursor: null,
    }));
    const before = Date.now();
    const run = await dlq(["audit", "--since", "1h", "--limit", "10", "--action", "bulk-replay.start"]);
    expect(run.code).toBe(0);
    const query = requests.at(-1)!.query;
    expect(Math.abs(new Date(query.get("from")!).getTime() - (before - 3600_000))).toBeLessThan(10_000);
    expect(query.get("limit")).toBe("10");
    expect(query.get("action")).toBe("bulk-replay.start");
    expect(run.stdout).toMatch(/2026-12-01 21:00:00Z\s+ci@example\.com\s+bulk-replay\.start\s+rabbit\/orders\.dlq\s+cli-job-1/);

    await dlq(["audit", "--since", "2026-12-01"]);
    expect(requests.at(-1)!.query.get("from")).toBe("2026-12-01T00:00:00.000Z");
  });
});

describe("dlq output formatting", () => {
  interface FormatModule {
    progressBar(job: JobDto, width?: number): string;
    prettyJson(text: string): string | null;
    safe(value: unknown, options?: { multiline?: boolean }): string;
  }
  const load = async () => (await import(pathToFileURL(path.join(process.cwd(), "lib/cli/format.mjs")).href)) as FormatModule;

  it("draws done, failed, skipped and remaining in proportion, with rate and ETA", async () => {
    const { progressBar } = await load();
    const running = job({ status: "running", phase: "main", counts: { total: 100, done: 50, failed: 10, skipped: 10, remaining: 30 }, currentRate: 42, etaSeconds: 125 });
    expect(progressBar(running, 10)).toBe("[█████✗░···] running: 50 done · 10 failed · 10 skipped · 30 remaining of 100 · 42 msg/s · ETA 2 min");
  });

  it("keeps JSON numbers as written and refuses what is not JSON", async () => {
    const { prettyJson, safe } = await load();
    expect(prettyJson('{"a":[1, 2.50e3],"b":{}}')).toBe('{\n  "a": [\n    1,\n    2.50e3\n  ],\n  "b": {}\n}');
    expect(prettyJson("not json {")).toBeNull();
    expect(safe("a\u202eb\rc\n")).toBe("a\\u202eb\\u000dc\\u000a");
    expect(safe("line\nnext\ttab", { multiline: true })).toBe("line\nnext\ttab");
  });
});
