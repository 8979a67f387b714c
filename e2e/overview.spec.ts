import { expect, test } from "@playwright/test";
import { sandboxQueues } from "./rabbitmq-management";

test("the overview lists the seeded sandbox DLQs with the depth the broker reports", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Dead-letter queues" })).toBeVisible();
  const rows = page.getByTestId("dlq-row");
  await expect(rows.first()).toBeVisible();

  // Every sandbox broker kind shows up, none is reported down (Next's route announcer is an
  // alert too, outside <main>).
  await expect(page.getByRole("main").getByRole("alert")).toHaveCount(0);
  for (const kind of ["RabbitMQ", "SQS", "Service Bus"]) {
    await expect(rows.filter({ hasText: kind }).first(), `a ${kind} DLQ`).toBeVisible();
  }

  // RabbitMQ's own count for each of its DLQs matches what the console shows.
  const brokerCounts = new Map((await sandboxQueues()).map((queue) => [queue.name, queue.messages]));
  const rabbitRows = rows.filter({ hasText: "RabbitMQ" });
  const count = await rabbitRows.count();
  expect(count).toBeGreaterThan(0);
  for (let index = 0; index < count; index++) {
    const row = rabbitRows.nth(index);
    const name = (await row.getByTestId("dlq-name").innerText()).replace(/\s*ordered$/, "").trim();
    const shown = Number((await row.getByTestId("dlq-depth").innerText()).replace(/,/g, ""));
    expect(brokerCounts.get(name), `RabbitMQ has ${name}`).toBeDefined();
    expect(shown, `depth of ${name}`).toBe(brokerCounts.get(name));
    expect(shown, `${name} was seeded`).toBeGreaterThan(0);
  }
});

test("filters narrow the table and say when nothing matches", async ({ page }) => {
  await page.goto("/");
  const rows = page.getByTestId("dlq-row");
  await expect(rows.first()).toBeVisible();
  const before = await rows.count();
  await page.getByLabel("Filter queues").fill("no-such-queue-anywhere");
  await expect(rows).toHaveCount(0);
  await expect(page.getByText("No dead-letter queue matches these filters.")).toBeVisible();
  await page.getByLabel("Filter queues").fill("");
  await expect(rows).toHaveCount(before);
});
