// The `dlq` CLI against the running e2e console, as a pipeline runs it: a child process with an API
// token (created by the signed-in local admin through POST /api/v1/tokens). Its dry run is
// compared with what the plan endpoint returns and what the queue view's bulk replay dialog shows
// in Chromium; `replay --wait` must exit non-zero when the canary comes back to the DLQ (the work
// queue expires what it gets, so RabbitMQ dead-letters each replayed copy straight back); and
// every CLI action is in the audit log under the token's owner, via the token.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { deadLetterThroughQueue, deleteQueues, sandboxQueues, SANDBOX_VHOST } from "./rabbitmq-management";
import { ADMIN_STATE, E2E_BASE_URL, LOCAL_ADMIN } from "./users";

const BROKER = "sandbox-rabbitmq";
const PREFIX = `cli-${Date.now().toString(36)}`;
const DLQ = `${PREFIX}.dlq`;
const WORK = `${PREFIX}.work`;
const QUEUE = `${BROKER}/${DLQ}`;
const PER_GROUP = 8;
const CATALOG = "not found in catalog";
const TIMEOUT = "Timeout calling tax-service";
const STORIES = [(n: number) => `Order ${7000 + n} ${CATALOG}`, (n: number) => `${TIMEOUT} after ${900 + n * 10}ms`];
const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? "http://127.0.0.1:15672";
const POLICY = `${PREFIX}-expire-work`;

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let token: { id: string; secret: string };
let startedAt: string;

/** Run `dlq` (bin/dlq.mjs, as `npx dlq` does) with the console's URL and the token in its environment. */
function dlq(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(process.cwd(), "bin", "dlq.mjs"), ...args],
      { env: { ...process.env, DLQ_URL: E2E_BASE_URL, DLQ_TOKEN: token.secret, ...env }, encoding: "utf8", timeout: 90_000 },
      (error, stdout: string, stderr: string) => resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function management(method: string, pathname: string, body?: unknown): Promise<void> {
  const response = await fetch(`${MANAGEMENT_URL}/api/${pathname}`, {
    method,
    headers: { Authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && !(method === "DELETE" && response.status === 404)) throw new Error(`management API ${method} ${pathname}: ${response.status} ${await response.text()}`);
}

const depth = async (name: string) => (await sandboxQueues()).find((queue) => queue.name === name)?.messages ?? 0;

/** The fingerprint of the index group whose label contains `text`, as `dlq messages --filter` reports it. */
async function groupId(text: string): Promise<string> {
  const run = await dlq(["messages", QUEUE, "--filter", "", "--json"]);
  expect(run.code, run.stderr).toBe(0);
  const page = JSON.parse(run.stdout) as { groups: { id: string; label: string; count: number }[] };
  const group = page.groups.find((candidate) => candidate.label.includes(text));
  expect(group, JSON.stringify(page.groups)).toBeDefined();
  expect(group!.count).toBe(PER_GROUP);
  return group!.id;
}

async function signedInApi(playwright: { request: { newContext(options: object): Promise<APIRequestContext> } }) {
  return playwright.request.newContext({ baseURL: E2E_BASE_URL, storageState: ADMIN_STATE, extraHTTPHeaders: { Origin: E2E_BASE_URL } });
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ playwright }) => {
  startedAt = new Date(Date.now() - 1000).toISOString();
  const api = await signedInApi(playwright);
  const created = await api.post("/api/v1/tokens", { data: { name: `e2e ${PREFIX}`, role: "admin", expiresInDays: 1 } });
  expect(created.status(), await created.text()).toBe(201);
  const body = (await created.json()) as { token: { id: string; owner: string }; secret: string };
  expect(body.token.owner).toBe(LOCAL_ADMIN.email);
  token = { id: body.token.id, secret: body.secret };
  await api.dispose();

  const messages = Array.from({ length: STORIES.length * PER_GROUP }, (_, n) => ({
    payload: JSON.stringify({ orderId: 7000 + n }),
    properties: { message_id: `${PREFIX}-${n}`, content_type: "application/json", headers: { "x-exception-message": STORIES[n % STORIES.length]!(n) } },
  }));
  await deadLetterThroughQueue(PREFIX, messages);
});

test.afterAll(async () => {
  await management("DELETE", `policies/${encodeURIComponent(SANDBOX_VHOST)}/${encodeURIComponent(POLICY)}`);
  await deleteQueues([WORK, DLQ]);
});

test("replay --dry-run prints the plan the plan endpoint returns and the UI shows", async ({ page }) => {
  test.setTimeout(120_000);
  // The UI: index the DLQ, pick the group, plan it (the dry run).
  await page.goto(`/queues/${BROKER}/${encodeURIComponent(DLQ)}`);
  await page.getByRole("tab", { name: "Whole DLQ (index)" }).click();
  await page.getByRole("button", { name: "Index this DLQ" }).click();
  await expect(page.getByTestId("index-freshness")).toContainText(`Index of ${STORIES.length * PER_GROUP} messages`);
  await page.getByRole("complementary", { name: "Failure groups" }).getByText(CATALOG).click();
  await page.getByRole("button", { name: "Bulk replay this group" }).click();
  const dialog = page.getByRole("dialog", { name: "Bulk replay this group" });
  await dialog.getByRole("button", { name: "Plan (dry run)" }).click();
  const summary = dialog.getByTestId("plan-summary");
  await expect(dialog.getByTestId("plan-total")).toHaveText(String(PER_GROUP));
  // Each row of the dialog's lists is "<label> <count>" (two spans).
  const listed = (heading: string) =>
    summary
      .locator("div", { has: page.getByRole("heading", { name: heading }) })
      .last()
      .getByRole("listitem")
      .evaluateAll((items) => items.map((item) => [...item.querySelectorAll("span")].map((span) => span.textContent?.trim() ?? "").join(" ")));
  const uiGroups = await listed("By failure group");
  const uiDestinations = await listed("By destination");

  // The CLI's dry run, as JSON and as text.
  const group = await groupId(CATALOG);
  const json = await dlq(["replay", QUEUE, "--group", group, "--dry-run", "--json"]);
  expect(json.code, json.stderr).toBe(0);
  const cliJob = (JSON.parse(json.stdout) as { job: { status: string; summary: { total: number; byGroup: { id: string; label: string; count: number }[]; byDestination: { sendTo: string | null; count: number }[] } } }).job;
  expect(cliJob.status).toBe("planned");
  expect(cliJob.summary.total).toBe(PER_GROUP);
  expect(cliJob.summary.byGroup.map((entry) => `${entry.label} ${entry.count}`)).toEqual(uiGroups);
  expect(cliJob.summary.byDestination.map((entry) => `${entry.sendTo ?? "(unknown source)"} ${entry.count}`)).toEqual(uiDestinations);
  expect(uiDestinations).toEqual([`${WORK} ${PER_GROUP}`]);

  // The plan endpoint, asked the same by the signed-in browser: the same summary.
  const endpoint = await page.request.post(`/api/v1/brokers/${BROKER}/queues/${encodeURIComponent(DLQ)}/bulk-replays`, {
    data: { operationId: randomUUID(), selection: { kind: "group", group } },
    headers: { Origin: E2E_BASE_URL },
  });
  expect(endpoint.status(), await endpoint.text()).toBe(201);
  expect(((await endpoint.json()) as { job: { summary: unknown } }).job.summary).toEqual(cliJob.summary);

  const text = await dlq(["replay", QUEUE, "--group", group, "--dry-run"]);
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toContain(`${PER_GROUP} messages frozen in the plan. Messages that arrive later are not part of it.`);
  expect(text.stdout).toMatch(new RegExp(`By failure group\\n {2}[^\\n]*${CATALOG} \\[${group}\\]\\s+${PER_GROUP}\\n`));
  expect(text.stdout).toMatch(new RegExp(`By destination\\n {2}${WORK.replace(/\./g, "\\.")}\\s+${PER_GROUP}\\n`));
  expect(text.stdout).toContain(`Sent to ${WORK}`);
  // A dry run sends nothing.
  expect(await depth(WORK)).toBe(0);
  expect(await depth(DLQ)).toBe(STORIES.length * PER_GROUP);
});

test("replay --wait exits 7 when the job pauses itself because the canary came back", async () => {
  test.setTimeout(120_000);
  // The "fix" did not work: the work queue expires whatever it gets, and RabbitMQ dead-letters it
  // (with the console's replay headers) straight back into the DLQ.
  await management("PUT", `policies/${encodeURIComponent(SANDBOX_VHOST)}/${encodeURIComponent(POLICY)}`, {
    pattern: `^${WORK.replace(/[.]/g, "\\.")}$`,
    definition: { "message-ttl": 0 },
    "apply-to": "queues",
    priority: 100,
  });
  const group = await groupId(TIMEOUT);
  const run = await dlq(["replay", QUEUE, "--group", group, "--canary", "2", "--rate", "20", "--wait"]);
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(7);
  expect(run.stdout).toMatch(/Paused: canary: \d+ of 2 replayed messages came back to the DLQ within the watch window\./);
  expect(run.stdout).toMatch(/Job: http:\/\/127\.0\.0\.1:\d+\/jobs\/cli-[0-9a-f-]+/);
  // Not a terminal: plain progress lines, no carriage returns.
  expect(run.stderr).toMatch(/paused: 2 done · 0 failed · 0 skipped · 6 remaining of 8/);
  expect(run.stderr).not.toContain("\r");
  const jobId = /\/jobs\/(cli-[0-9a-f-]+)/.exec(run.stdout)![1]!;
  const job = await dlq(["job", jobId, "--json"]);
  expect(JSON.parse(job.stdout)).toMatchObject({ job: { status: "paused", phase: "canary", actor: LOCAL_ADMIN.email } });
  // Nothing lost: the 6 never sent and the 2 that came back are in the DLQ.
  await expect.poll(() => depth(DLQ), { timeout: 15_000 }).toBe(STORIES.length * PER_GROUP);
});

test("show, purge and refusals; every CLI action is in the audit log under the token's owner", async () => {
  test.setTimeout(120_000);
  const refused = await dlq(["queues"], { DLQ_TOKEN: "dlq_not-a-real-token", DLQ_RETRIES: "0" });
  expect(refused.code).toBe(3);
  expect(refused.stderr).toContain("401 API token refused");

  const unknown = await dlq(["messages", `${BROKER}/${PREFIX}.nope`]);
  expect(unknown.code).toBe(4);
  expect(unknown.stderr).toContain(`did you mean ${QUEUE}?`);

  const listed = await dlq(["queues", "--broker", BROKER]);
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.stdout).toMatch(new RegExp(`^${BROKER}\\s+${DLQ.replace(/\./g, "\\.")}\\s+\\d+\\s`, "m"));

  const messages = await dlq(["messages", QUEUE, "--json", "--limit", "1"]);
  expect(messages.code, messages.stderr).toBe(0);
  const [first] = (JSON.parse(messages.stdout) as { messages: { id: string }[] }).messages;
  const shown = await dlq(["show", QUEUE, first!.id]);
  expect(shown.code, shown.stderr).toBe(0);
  expect(shown.stdout).toContain("Attempt history");
  expect(shown.stdout).toMatch(/"orderId": 70\d\d/);

  const mismatch = await dlq(["purge", QUEUE, "--confirm", WORK]);
  expect(mismatch.code).toBe(6);
  expect(mismatch.stderr).toContain(`type --confirm "${DLQ}"`);
  expect(await depth(DLQ)).toBe(STORIES.length * PER_GROUP);
  const purged = await dlq(["purge", QUEUE, "--confirm", DLQ, "--reason", "e2e cleanup"]);
  expect(purged.code, purged.stderr).toBe(0);
  expect(purged.stdout).toContain(`succeeded; ${STORIES.length * PER_GROUP} removed.`);
  await expect.poll(() => depth(DLQ), { timeout: 15_000 }).toBe(0);

  const audit = await dlq(["audit", "--since", startedAt, "--limit", "500", "--json"]);
  expect(audit.code, audit.stderr).toBe(0);
  const entries = (JSON.parse(audit.stdout) as { entries: { actor: string; via?: string | null; action: string; queueId: string | null; userAgent: string | null; request: unknown }[] }).entries;
  const byCli = entries.filter((entry) => entry.userAgent?.startsWith("dlq-cli/") && entry.queueId === DLQ);
  for (const action of ["bulk-replay.plan", "bulk-replay.start", "message.view", "purge.intent", "purge.outcome"]) {
    const rows = byCli.filter((entry) => entry.action === action);
    expect(rows.length, action).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.actor, action).toBe(LOCAL_ADMIN.email);
      expect(row.via, action).toContain(token.id);
    }
  }
  // Two dry runs and one replay: three plans; the mismatched purge never reached the console.
  expect(byCli.filter((entry) => entry.action === "bulk-replay.plan")).toHaveLength(3);
  expect(byCli.filter((entry) => entry.action === "purge.intent")).toHaveLength(1);
  // The refused token is audited as a refusal, not under the owner.
  expect(entries.some((entry) => entry.action === "auth.refused" && entry.userAgent?.startsWith("dlq-cli/"))).toBe(true);
});
