// Payload redaction against the running console (REDACT_JSON_PATHS=$.card.number,$..email and
// REDACT_HEADERS=authorization, see playwright.config.ts): a viewer reads messages with those
// values masked and non-JSON bodies withheld, a reader reads them in full, and an audit export
// carries none of them (not even inside an edit's diff) while the chain still verifies, through
// the API and `npm run audit:verify` on the console's database.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { expect, request, test, type APIRequestContext } from "@playwright/test";
import { deadLetterThroughQueue, deleteQueues } from "./rabbitmq-management";
import { ADMIN_STATE, E2E_BASE_URL, storageStatePath } from "./users";

const PREFIX = "redact";
const DLQ = `${PREFIX}.dlq`;
const BROKER = "sandbox-rabbitmq";
const CARD = "4111111111111111";
const EDITED_CARD = "4242424242424242";
const EMAIL = "ann.customer@e2e-redaction.test";
const HEADER_SECRET = "Bearer e2e-header-secret-5150";
const SECRETS = [CARD, EDITED_CARD, EMAIL, HEADER_SECRET];
const messagesUrl = `/api/v1/brokers/${BROKER}/queues/${encodeURIComponent(DLQ)}/messages`;

const order = (card: string) => JSON.stringify({ orderId: 7, card: { number: card, expiry: "12/30" }, customer: { email: EMAIL, name: "Ann" } });

function leaks(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

async function as(login: string | null): Promise<APIRequestContext> {
  return request.newContext({ baseURL: E2E_BASE_URL, storageState: login ? storageStatePath(login) : ADMIN_STATE });
}

test.beforeAll(async () => {
  await deleteQueues([DLQ, `${PREFIX}.work`]);
  await deadLetterThroughQueue(PREFIX, [
    { payload: order(CARD), properties: { message_id: "redact-json", content_type: "application/json", headers: { authorization: HEADER_SECRET, "x-tenant": "acme" } } },
    { payload: `card ${CARD} for ${EMAIL}`, properties: { message_id: "redact-text", content_type: "text/plain" } },
  ]);
});

test.afterAll(async () => {
  await deleteQueues([DLQ, `${PREFIX}.work`]);
});

test("a viewer reads messages redacted, a reader in full", async ({ browser }) => {
  const vera = await as("vera");
  const list = await vera.get(messagesUrl);
  expect(list.status(), await list.text()).toBe(200);
  const listText = await list.text();
  expect(leaks(listText)).toEqual([]);
  expect(listText).toContain('\\"number\\":\\"***\\"');

  const json = await vera.get(`${messagesUrl}/redact-json`);
  expect(json.status()).toBe(200);
  const jsonText = await json.text();
  expect(leaks(jsonText)).toEqual([]);
  const detail = ((await json.json()) as { message: { body: { text: string | null; base64: string; redacted: boolean }; properties: Record<string, { value?: unknown }> } }).message;
  expect(detail.body.redacted).toBe(true);
  expect(JSON.parse(detail.body.text!)).toEqual({ orderId: 7, card: { number: "***", expiry: "12/30" }, customer: { email: "***", name: "Ann" } });
  expect(detail.properties.authorization).toEqual({ type: "string", value: "***" });
  expect(detail.properties["x-tenant"]).toEqual({ type: "string", value: "acme" });

  // Plain text cannot be masked field by field: the viewer gets the metadata, not the body.
  const text = await vera.get(`${messagesUrl}/redact-text`);
  expect(text.status()).toBe(200);
  expect(leaks(await text.text())).toEqual([]);
  expect(((await text.json()) as { message: { body: unknown } }).message.body).toEqual({ base64: "", text: null, truncated: false, redacted: true });
  await vera.dispose();

  // The page says so, and shows no secret either.
  const context = await browser.newContext({ storageState: storageStatePath("vera") });
  const page = await context.newPage();
  await page.goto(`/queues/${BROKER}/${encodeURIComponent(DLQ)}/messages/redact-json`);
  await expect(page.getByText("redacted for your role")).toBeVisible();
  expect(leaks(await page.content())).toEqual([]);
  await context.close();

  const rita = await as("rita");
  const full = await rita.get(`${messagesUrl}/redact-json`);
  expect(full.status()).toBe(200);
  const fullText = await full.text();
  expect(fullText).toContain(CARD);
  expect(fullText).toContain(HEADER_SECRET);
  expect(((await full.json()) as { message: { body: { redacted: boolean } } }).message.body.redacted).toBe(false);
  await rita.dispose();
});

test("an audit export carries no configured secret, even from an edit's diff, and the chain still verifies", async () => {
  const admin = await as(null);
  const resend = await admin.post(`${messagesUrl}/redact-json/resend`, {
    headers: { Origin: E2E_BASE_URL },
    data: { operationId: randomUUID(), reason: "e2e redaction", body: { text: order(EDITED_CARD) }, keepOriginal: true },
  });
  expect(resend.status(), await resend.text()).toBe(200);

  // The log itself holds the diff (readers may review it in the console) ...
  const filter = { broker: BROKER, queue: DLQ, action: "resend" };
  const log = await admin.get("/api/v1/audit", { params: { ...filter, limit: "50" } });
  expect(log.status()).toBe(200);
  const logText = await log.text();
  expect(logText).toContain(CARD);
  expect(logText).toContain(EDITED_CARD);

  // ... every export masks it, and says where; the stored hashes stay as they are.
  for (const format of ["json", "csv"] as const) {
    const exported = await admin.get("/api/v1/audit/export", { params: { ...filter, format } });
    expect(exported.status()).toBe(200);
    const body = await exported.text();
    expect(leaks(body), format).toEqual([]);
    expect(body).toContain("request.diff.body");
  }
  const entries = (await (await admin.get("/api/v1/audit/export", { params: { ...filter, format: "json" } })).json()) as Array<{ hash: string; previousHash: string; redacted: string[] }>;
  const stored = ((await log.json()) as { entries: Array<{ hash: string; previousHash: string }> }).entries.reverse();
  expect(entries.map((entry) => [entry.hash, entry.previousHash])).toEqual(stored.map((entry) => [entry.hash, entry.previousHash]));
  expect(entries.some((entry) => entry.redacted.length > 0)).toBe(true);

  const verify = await admin.get("/api/v1/audit/verify");
  expect(await verify.json()).toMatchObject({ ok: true });
  await admin.dispose();

  // The operator's command, on the console's own (embedded) database.
  const output = execFileSync("npm", ["run", "--silent", "audit:verify"], {
    env: { ...process.env, DATABASE_URL: "", BROKERS_FILE: "", BROKERS: "", EMBEDDED_POSTGRES_PORT: String(Number(process.env.E2E_POSTGRES_PORT ?? 54339)) },
    encoding: "utf8",
  });
  expect(output).toMatch(/audit chain intact: \d+ row\(s\)/);
});
