// Triage in a real Chromium against the running console: a DLQ this file creates and fills on the
// e2e vhost (through RabbitMQ's own management API, so other specs' replays and purges of the
// sandbox queues cannot change what it counts), grouped by failure, searched through the index,
// walked with the keyboard, and a message page with payload, reason and timeline.
import { expect, test } from "@playwright/test";
import { deadLetterThroughQueue, deleteQueues } from "./rabbitmq-management";

const BROKER = "sandbox-rabbitmq";
const PREFIX = `triage-${Date.now().toString(36)}`;
const DLQ = `${PREFIX}.dlq`;

// 3 failure stories that differ only in ids and numbers, 12 messages each: 36 dead letters, 3 groups.
const STORIES = [
  (n: number) => `Order ${4000 + n} not found in catalog`,
  (n: number) => `Timeout calling pricing-service after ${1200 + n * 50}ms`,
  (n: number) => `Customer 7f3c2a9e-1b2c-4d5e-8f90-${String(n).padStart(12, "0")} is blocked`,
];
const PER_STORY = 12;

test.beforeAll(async () => {
  const messages = Array.from({ length: STORIES.length * PER_STORY }, (_, n) => ({
    payload: JSON.stringify({ orderId: 4000 + n, region: n % 2 ? "eu-west" : "us-east", note: n === 5 ? "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">" : "ok" }),
    properties: { message_id: `${PREFIX}-${n}`, content_type: "application/json", headers: { "x-exception-message": STORIES[n % STORIES.length]!(n) } },
  }));
  await deadLetterThroughQueue(PREFIX, messages);
});

test.afterAll(async () => {
  await deleteQueues([`${PREFIX}.work`, DLQ]);
});

test("the queue view groups the dead letters into their distinct failures", async ({ page }) => {
  await page.goto(`/queues/${BROKER}/${encodeURIComponent(DLQ)}`);
  await expect(page.getByTestId("group-summary")).toHaveText(`${STORIES.length * PER_STORY} messages · ${STORIES.length} distinct failures`);
  const groups = page.getByRole("complementary", { name: "Failure groups" });
  await expect(groups.getByText("rejected: Timeout calling pricing-service after <n>ms")).toBeVisible();
  await groups.getByText("rejected: Customer <guid> is blocked").click();
  await expect(page.getByTestId("message-row")).toHaveCount(PER_STORY);
});

test("j/k move through the messages, Enter opens one, Esc goes back", async ({ page }) => {
  await page.goto(`/queues/${BROKER}/${encodeURIComponent(DLQ)}`);
  await expect(page.getByTestId("message-row").first()).toBeVisible();
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await page.keyboard.press("k");
  await expect(page.getByTestId("message-row").nth(1)).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/messages\//);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${PREFIX}-1`);
  await page.keyboard.press("Escape");
  await expect(page).toHaveURL(new RegExp(`/queues/${BROKER}/${DLQ.replace(/\./g, "\\.")}$`));
  await page.keyboard.press("/");
  await expect(page.getByLabel("Search messages")).toBeFocused();
});

test("a message page shows payload, failure and timeline, and a hostile payload as text", async ({ page }) => {
  await page.goto(`/queues/${BROKER}/${encodeURIComponent(DLQ)}/messages/${encodeURIComponent(`${PREFIX}-5`)}`);
  await expect(page.getByTestId("failure-reason")).toHaveText("rejected");
  await expect(page.getByTestId("failure-description")).toHaveText(STORIES[5 % STORIES.length]!(5));
  const payload = page.getByTestId("payload");
  await expect(payload).toContainText('"orderId": 4005');
  await expect(payload).toContainText("<script>window.__pwned = 1</script>");
  await expect(page.getByTestId("timeline")).toContainText("Dead-lettered");
  await expect(page.getByTestId("timeline")).toContainText(`${PREFIX}.work`);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await expect(page.locator("main img")).toHaveCount(0);
});

test("the index searches and groups the whole DLQ, and says how fresh it is", async ({ page }) => {
  await page.goto(`/queues/${BROKER}/${encodeURIComponent(DLQ)}`);
  await page.getByRole("tab", { name: "Whole DLQ (index)" }).click();
  await page.getByRole("button", { name: "Index this DLQ" }).click();
  await expect(page.getByTestId("index-freshness")).toContainText(`Index of ${STORIES.length * PER_STORY} messages`);
  await expect(page.getByTestId("group-summary")).toHaveText(`${STORIES.length * PER_STORY} messages · ${STORIES.length} distinct failures`);
  await page.getByLabel("Search messages").fill("eu-west");
  await expect(page.getByTestId("message-count")).toHaveText(`${(STORIES.length * PER_STORY) / 2} matching · ${(STORIES.length * PER_STORY) / 2} shown`);
  await page.getByLabel("Search messages").fill("eu-west pricing-service");
  await expect(page.getByTestId("message-row")).toHaveCount(PER_STORY / 2);
});
