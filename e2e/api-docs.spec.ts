// The HTTP API reference as a person opens it (from the header, signed in) and as a tool fetches
// the document (no credentials): the same operations in both, and nothing blocked by the CSP.
import { expect, request, test } from "@playwright/test";
import { E2E_BASE_URL } from "./users";

interface Document {
  readonly openapi: string;
  readonly servers: readonly { url: string }[];
  readonly paths: Record<string, Record<string, { operationId: string; "x-permission": string }>>;
}

test("the OpenAPI document is public, and /api-docs renders every operation in it", async ({ page }) => {
  const anonymous = await request.newContext({ baseURL: E2E_BASE_URL, storageState: { cookies: [], origins: [] } });
  const response = await anonymous.get("/api/v1/openapi.json");
  expect(response.status()).toBe(200);
  const document = (await response.json()) as Document;
  expect(document.openapi).toBe("3.1.1");
  expect(document.servers[0]?.url).toBe(E2E_BASE_URL);
  expect((await anonymous.get("/api/v1/queues")).status()).toBe(401);
  await anonymous.dispose();
  const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));

  const blocked: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
  });
  await page.goto("/");
  await page.getByRole("link", { name: "API docs", exact: true }).click();
  await expect(page).toHaveURL(/\/api-docs$/);
  await expect(page.getByRole("heading", { name: "Dead-letter console API" })).toBeVisible();
  await expect(page.getByTestId("operation")).toHaveCount(operations.length);

  const replay = page.locator('[data-operation="POST /api/v1/brokers/{broker}/queues/{queue}/replay"]');
  await expect(replay.getByTestId("permission")).toHaveText(/messages\.replay.*operator/);
  await expect(replay).toContainText("Request body");
  await expect(replay).toContainText("ReplayMessagesRequest");
  await replay.getByText("ReplayMessagesRequest").first().click();
  await expect(page).toHaveURL(/#schema-ReplayMessagesRequest$/);
  await expect(page.locator("#schema-ReplayMessagesRequest")).toBeInViewport();
  expect(blocked).toEqual([]);
  await page.goto("/api-docs");
  await page.screenshot({ path: "test-results/api-docs.png", fullPage: false });
});
