// Hygiene and alerts in a real Chromium against the sandbox: the deliberate mistakes the sandbox
// seeds show up as findings with their fix, a finding is muted with a reason, and an alert rule
// created on the page fires to a webhook receiver this test runs.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { E2E_BASE_URL } from "./users";

const RULE_NAME = "e2e: orders DLQ filling up";

// The e2e database lives on between runs (DATA_DIR .data/e2e): undo what an earlier run left.
const ORIGIN = { Origin: E2E_BASE_URL };

test("the hygiene page shows each sandbox mistake with its fix, and a finding can be muted with a reason", async ({ page }) => {
  await page.request.delete("/api/v1/hygiene/mutes", { headers: ORIGIN, data: { broker: "sqs-sandbox", queueId: "notifications", code: "no-dead-letter-path" } });
  await page.goto("/hygiene");
  const section = (broker: string) => page.getByRole("region", { name: `Hygiene of ${broker}` });
  const finding = (broker: string, code: string, queue: string) => section(broker).getByTestId("finding").filter({ hasText: queue }).and(page.locator(`[data-code="${code}"]`));

  await expect(finding("sandbox-rabbitmq", "no-dead-letter-path", "notifications.email")).toBeVisible();
  await expect(finding("sandbox-rabbitmq", "dead-letter-routes-nowhere", "invoices.render")).toContainText("Bind a DLQ to the dead-letter exchange");
  await expect(finding("sqs-sandbox", "delivery-cap-one", "audit-events")).toBeVisible();
  await expect(finding("sqs-sandbox", "dlq-retention-shorter", "audit-events-dlq")).toContainText("1 d, less than its source audit-events (4 d)");
  await expect(finding("servicebus-sandbox", "expired-messages-dropped", "notifications")).toContainText("deadLetteringOnMessageExpiration");
  await expect(finding("servicebus-sandbox", "delivery-cap-high", "shipments")).toBeVisible();

  const target = finding("sqs-sandbox", "no-dead-letter-path", "notifications");
  await target.getByRole("button", { name: "Mute…" }).click();
  await target.getByLabel("Why mute this finding").fill("best-effort pushes, OPS-77");
  await target.getByRole("button", { name: "Mute", exact: true }).click();
  await expect(target).toHaveCount(0);
  await page.getByLabel("Show muted").check();
  await expect(target).toContainText("Muted by admin@console.local");
  await expect(target).toContainText("best-effort pushes, OPS-77");
});

test.describe("alerts", () => {
  let receiver: Server;
  let webhook: string;
  const received: Record<string, unknown>[] = [];

  test.beforeAll(async () => {
    receiver = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      request.on("end", () => {
        received.push(JSON.parse(text) as Record<string, unknown>);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  test.afterAll(() => {
    receiver?.close();
  });

  test("a rule added on the alerts page fires to the webhook with a link to the DLQ", async ({ page }) => {
    test.setTimeout(240_000);
    const { rules } = (await (await page.request.get("/api/v1/alerts")).json()) as { rules: { id: string; name: string }[] };
    for (const old of rules.filter((rule) => rule.name === RULE_NAME)) await page.request.delete(`/api/v1/alerts/rules/${old.id}`, { headers: ORIGIN });
    await page.goto("/alerts");
    await page.getByLabel("Rule name").fill(RULE_NAME);
    await page.getByLabel("Broker glob").fill("sandbox-rabbitmq");
    await page.getByLabel("Queue glob").fill("orders.*");
    await page.getByLabel("Threshold").fill("5");
    await page.getByLabel("Webhook format").selectOption("generic");
    await page.getByLabel("Webhook URL").fill(webhook);
    await page.getByRole("button", { name: "Add rule" }).click();
    const rule = page.getByTestId("alert-rule").filter({ hasText: RULE_NAME });
    await expect(rule).toContainText("sandbox-rabbitmq / orders.* · depth > 5 (resolves ≤ 4) · generic → http://127.0.0.1:");

    // A pg-boss cron job evaluates once a minute: the sandbox DLQ (30 dead letters) crosses 5 then.
    await expect.poll(() => received.length, { timeout: 150_000, intervals: [1_000] }).toBeGreaterThan(0);
    expect(received[0]).toMatchObject({ event: "fired", broker: "sandbox-rabbitmq", queue: "orders.dead-letter", link: expect.stringMatching(/\/queues\/sandbox-rabbitmq\/orders\.dead-letter$/) });
    await page.reload();
    await expect(rule).toContainText("firing on 1");
    await expect(page.getByTestId("alert-delivery").first()).toContainText("delivered");

    // The hygiene page no longer flags the watched DLQ as unalerted.
    await page.goto("/hygiene");
    await expect(page.getByRole("region", { name: "Hygiene of sandbox-rabbitmq" }).locator('[data-code="dlq-no-alert-rule"]')).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Hygiene of sqs-sandbox" }).locator('[data-code="dlq-no-alert-rule"]').first()).toBeVisible();
  });
});
