// Bulk replay in a real Chromium: from the indexed queue view, plan one failure group (the dry run
// shows the frozen count), confirm, watch the job page's progress bar move, pause, resume, finish;
// checked on the broker (management API), then the audit page shows the job. The DLQ is this
// file's own, on the e2e vhost, so other specs cannot change what it counts.
import { expect, test } from "@playwright/test";
import { deadLetterThroughQueue, deleteQueues, sandboxQueues } from "./rabbitmq-management";
import { LOCAL_ADMIN } from "./users";

const BROKER = "sandbox-rabbitmq";
const PREFIX = `bulk-${Date.now().toString(36)}`;
const DLQ = `${PREFIX}.dlq`;
const WORK = `${PREFIX}.work`;
const PER_GROUP = 15;
const STORIES = [(n: number) => `Order ${5000 + n} not found in catalog`, (n: number) => `Timeout calling tax-service after ${900 + n * 10}ms`];

/** A time as a datetime-local value (the browser runs on this machine, in its time zone). */
function localInput(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

const depth = async (name: string) => (await sandboxQueues()).find((queue) => queue.name === name)?.messages ?? 0;

test.beforeAll(async () => {
  const messages = Array.from({ length: STORIES.length * PER_GROUP }, (_, n) => ({
    payload: JSON.stringify({ orderId: 5000 + n }),
    properties: { message_id: `${PREFIX}-${n}`, content_type: "application/json", headers: { "x-exception-message": STORIES[n % STORIES.length]!(n) } },
  }));
  await deadLetterThroughQueue(PREFIX, messages);
});

test.afterAll(async () => {
  await deleteQueues([WORK, DLQ]);
});

test("bulk replay of a failure group: plan, confirm, progress, pause, resume, finish, audited", async ({ page }) => {
  test.setTimeout(120_000);
  const startedAt = new Date(Date.now() - 1000);
  await page.goto(`/queues/${BROKER}/${encodeURIComponent(DLQ)}`);
  await page.getByRole("tab", { name: "Whole DLQ (index)" }).click();
  await page.getByRole("button", { name: "Index this DLQ" }).click();
  await expect(page.getByTestId("index-freshness")).toContainText(`Index of ${STORIES.length * PER_GROUP} messages`);
  await page.getByRole("complementary", { name: "Failure groups" }).getByText("not found in catalog").click();

  // Plan: the dry run freezes the group and sends nothing.
  await page.getByRole("button", { name: "Bulk replay this group" }).click();
  const dialog = page.getByRole("dialog", { name: "Bulk replay this group" });
  await dialog.getByLabel("Rate").fill("3");
  await dialog.getByLabel("Canary size").fill("0");
  await dialog.getByRole("button", { name: "Plan (dry run)" }).click();
  await expect(dialog.getByTestId("plan-total")).toHaveText(String(PER_GROUP));
  await expect(dialog.getByTestId("plan-summary")).toContainText(WORK);
  expect(await depth(WORK)).toBe(0);

  // Confirm: the job page shows its progress moving.
  await dialog.getByRole("button", { name: `Replay ${PER_GROUP} messages` }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]+$/);
  const progress = page.getByTestId("job-progress");
  await expect.poll(async () => Number(await progress.getAttribute("data-done")), { timeout: 30_000 }).toBeGreaterThan(0);

  // Pause: it stops moving; resume: it finishes.
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByTestId("job-status")).toHaveText("paused");
  // A batch already on its way when the pause came is recorded; nothing starts after it.
  await page.waitForTimeout(1500);
  const donePaused = Number(await progress.getAttribute("data-done"));
  await page.waitForTimeout(2500);
  expect(Number(await progress.getAttribute("data-done"))).toBe(donePaused);
  expect(donePaused).toBeLessThan(PER_GROUP);
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByTestId("job-status")).toHaveText("completed", { timeout: 60_000 });
  await expect(page.getByTestId("count-done")).toHaveText(`${PER_GROUP} done`);
  await expect(page.getByTestId("count-remaining")).toHaveText("0 remaining");

  // The broker: the group is in the source queue, the other group is still in the DLQ.
  await expect.poll(async () => [await depth(WORK), await depth(DLQ)], { timeout: 20_000 }).toEqual([PER_GROUP, PER_GROUP]);

  // The jobs list shows it, and the audit page has its start, pause, resume and outcome.
  await page.getByRole("navigation").getByRole("link", { name: "Jobs", exact: true }).click();
  await expect(page.getByTestId("job-row").first()).toContainText(DLQ);
  await page.goto("/audit");
  await page.getByLabel("From").fill(localInput(startedAt));
  await page.getByRole("button", { name: "Apply" }).click();
  for (const action of ["bulk-replay.plan", "bulk-replay.start", "bulk-replay.pause", "bulk-replay.resume", "bulk-replay.outcome"]) {
    const row = page.getByTestId("audit-row").filter({ has: page.getByTestId("audit-action").getByText(action, { exact: true }) });
    await expect(row, action).toHaveCount(1);
  }
  await expect(
    page.getByTestId("audit-row").filter({ has: page.getByTestId("audit-action").getByText("bulk-replay.start", { exact: true }) }).getByTestId("audit-actor"),
  ).toHaveText(LOCAL_ADMIN.email);
});
