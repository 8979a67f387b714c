// API tokens in the browser and from a script: created on /settings/tokens (the secret shown once,
// with a copy button), used with `Authorization: Bearer` and no cookie or Origin for a replay that
// the audit page shows under the owner with the token, then revoked on the page and refused.
import { randomUUID } from "node:crypto";
import { expect, request, test } from "@playwright/test";
import { E2E_BASE_URL, LOCAL_ADMIN, storageStatePath } from "./users";

const BROKER = "sandbox-rabbitmq";
const QUEUE = "orders.dead-letter";

test("create a token on the page, replay with it from a script, see it in the audit log, revoke it", async ({ page }) => {
  const cspViolations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  const name = `e2e pipeline ${randomUUID().slice(0, 6)}`;

  await page.goto("/");
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
  const form = page.getByRole("form", { name: "New API token" });
  await form.getByLabel("Token name").fill(name);
  await form.getByLabel("Role", { exact: true }).selectOption("operator");
  await form.getByLabel("Brokers").fill(BROKER);
  await form.getByLabel("Expires in days").fill("2");
  await form.getByRole("button", { name: "Create token" }).click();

  const panel = page.getByTestId("token-secret-panel");
  await expect(panel).toContainText("not shown again");
  await expect(panel.getByRole("button", { name: "Copy token" })).toBeVisible();
  const secret = (await panel.getByTestId("token-secret").innerText()).trim();
  expect(secret).toMatch(/^dlq_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
  const tokenId = secret.slice(4, 20);
  const row = page.getByTestId("token-row").filter({ hasText: name });
  await expect(row.getByTestId("token-status")).toHaveText("active");

  // Shown once: after a reload the page (and its API answers) no longer carry it.
  await page.reload();
  await expect(row).toHaveCount(1);
  expect(await page.content()).not.toContain(secret);

  // A script: the token alone, no cookie, no Origin.
  const script = await request.newContext({ baseURL: E2E_BASE_URL, storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { Authorization: `Bearer ${secret}` } });
  expect((await script.get("/api/v1/queues")).status()).toBe(200);
  // Operator on its broker only: the audit log (every broker) and purge (admin) stay closed.
  expect((await script.get("/api/v1/audit")).status()).toBe(403);
  expect((await script.post(`/api/v1/brokers/${BROKER}/queues/${QUEUE}/purge`, { data: { operationId: randomUUID(), all: true, confirm: QUEUE } })).status()).toBe(403);
  const operationId = `e2e-token-${randomUUID()}`;
  const replayed = await script.post(`/api/v1/brokers/${BROKER}/queues/${QUEUE}/replay`, { data: { operationId, ids: ["e2e-token-no-such-message"] } });
  expect(replayed.status(), await replayed.text()).toBeLessThan(300);
  expect(await replayed.json()).toMatchObject({ operation: { id: operationId, actor: LOCAL_ADMIN.email } });

  // The audit page: the replay under the admin, via the token (id and name).
  await page.goto("/audit");
  await page.getByLabel("Actor").fill(LOCAL_ADMIN.email);
  await page.getByLabel("Message id").fill("e2e-token-no-such-message");
  await page.getByRole("button", { name: "Apply" }).click();
  const auditRow = page.getByTestId("audit-row").filter({ has: page.getByTestId("audit-action").getByText("replay.outcome", { exact: true }) }).filter({ hasText: tokenId }).first();
  await expect(auditRow.getByTestId("audit-actor")).toHaveText(LOCAL_ADMIN.email);
  await expect(auditRow.getByTestId("audit-via")).toHaveText(`via token ${tokenId} (${name})`);

  // Revoke on the page: the script is refused from then on, and the refusal is audited.
  await page.goto("/settings/tokens");
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row.getByTestId("token-status")).toHaveText(`revoked by ${LOCAL_ADMIN.email}`);
  const refused = await script.get("/api/v1/queues");
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toMatchObject({ error: { code: "unauthenticated", message: expect.stringContaining("revoked") } });
  await script.dispose();
  expect(cspViolations).toEqual([]);
});

test("a token cannot be made above its creator's role, and a cookie mutation without Origin is still refused", async () => {
  const vera = await request.newContext({ baseURL: E2E_BASE_URL, storageState: storageStatePath("vera") });
  const tooStrong = await vera.post("/api/v1/tokens", { headers: { Origin: E2E_BASE_URL }, data: { name: "escalate", role: "operator" } });
  expect(tooStrong.status()).toBe(403);
  const noOrigin = await vera.post("/api/v1/tokens", { data: { name: "csrf", role: "viewer" } });
  expect(noOrigin.status()).toBe(403);
  expect(await noOrigin.json()).toMatchObject({ error: { message: expect.stringContaining("Origin") } });
  const own = await vera.post("/api/v1/tokens", { headers: { Origin: E2E_BASE_URL }, data: { name: "vera's own", role: "viewer", expiresInDays: 1 } });
  expect(own.status()).toBe(201);
  const { secret } = (await own.json()) as { secret: string };
  const listed = await vera.get("/api/v1/tokens");
  expect(await listed.text()).not.toContain(secret);
  await vera.dispose();
});
