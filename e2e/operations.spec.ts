// Replay, edit-and-resend and purge from the message page of the seeded RabbitMQ sandbox, checked
// on the broker (management API), then the audit page shows all three with the signed-in operator.
import { expect, test, type Page } from "@playwright/test";
import { sandboxQueues } from "./rabbitmq-management";
import { LOCAL_ADMIN } from "./users";

const QUEUE = "orders.dead-letter";
const SOURCE = "orders.process";
const messagePage = (id: string) => `/queues/sandbox-rabbitmq/${QUEUE}/messages/${id}`;

async function depths(): Promise<Map<string, number>> {
  return new Map((await sandboxQueues()).map((queue) => [queue.name, queue.messages]));
}

async function openMessage(page: Page, id: string) {
  await page.goto(messagePage(id));
  await expect(page.getByRole("heading", { level: 1, name: id })).toBeVisible();
  await expect(page.getByTestId("payload")).toBeVisible();
}

/** A time as a datetime-local value (the browser runs on this machine, in its time zone). */
function localInput(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

test("replay, edit with a diff and purge with typed confirmation, then the audit page shows all three", async ({ page }) => {
  // The e2e database outlives a run: look only at what this test did.
  const startedAt = new Date(Date.now() - 1000);
  const before = await depths();

  // Replay: the preview says where it lands; the copy reaches the source queue.
  await openMessage(page, "order-1040");
  await page.getByRole("toolbar", { name: "Message actions" }).getByRole("button", { name: "Replay" }).click();
  const replay = page.getByRole("dialog", { name: "Replay message" });
  await expect(replay.getByTestId("preview-send-to")).toHaveText(SOURCE);
  await replay.getByRole("button", { name: "Replay", exact: true }).click();
  await expect(replay.getByTestId("operation-result")).toContainText("replay succeeded");
  await replay.getByRole("button", { name: "Close", exact: true }).last().click();
  await expect(page).toHaveURL(new RegExp(`/queues/sandbox-rabbitmq/${QUEUE.replace(".", "\\.")}$`));

  // Edit and resend: invalid JSON is refused as typed; a valid edit shows its diff and goes out.
  await openMessage(page, "order-1041");
  await page.getByRole("button", { name: "Edit & resend" }).click();
  const edit = page.getByRole("dialog", { name: "Edit and resend" });
  const body = edit.getByLabel("Edited body");
  await body.fill('{"orderId": 1041, "currency": ');
  await expect(edit.getByTestId("edit-errors")).toContainText("not valid JSON");
  await expect(edit.getByRole("button", { name: "Resend" })).toBeDisabled();
  await body.fill('{"orderId":1041,"currency":"EUR","fixed":true}');
  await expect(edit.getByTestId("edit-errors")).toHaveCount(0);
  await expect(edit.getByTestId("edit-diff")).toContainText('+{"orderId":1041,"currency":"EUR","fixed":true}');
  await expect(edit.getByTestId("edit-diff")).toContainText("-{");
  await edit.getByRole("button", { name: "Resend" }).click();
  await expect(edit.getByTestId("operation-result")).toContainText("resend succeeded");
  await edit.getByRole("button", { name: "Close", exact: true }).last().click();

  // Purge: only the typed queue name unlocks it.
  await openMessage(page, "order-1042");
  await page.getByRole("toolbar", { name: "Message actions" }).getByRole("button", { name: "Purge" }).click();
  const purge = page.getByRole("dialog", { name: "Purge messages" });
  await expect(purge.getByTestId("environment-label")).toContainText("sandbox");
  const purgeButton = purge.getByRole("button", { name: "Purge", exact: true });
  await expect(purgeButton).toBeDisabled();
  await purge.getByLabel("Queue name to confirm").fill("orders");
  await expect(purgeButton).toBeDisabled();
  await purge.getByLabel("Queue name to confirm").fill(QUEUE);
  await purgeButton.click();
  await expect(purge.getByTestId("operation-result")).toContainText("purge succeeded");

  // The broker itself: three fewer in the DLQ, two more (replayed, resent) in the source.
  await expect
    .poll(async () => {
      const now = await depths();
      return [(before.get(QUEUE) ?? 0) - (now.get(QUEUE) ?? 0), (now.get(SOURCE) ?? 0) - (before.get(SOURCE) ?? 0)];
    }, { timeout: 20_000 })
    .toEqual([3, 2]);

  // The audit page: all three outcomes, by the signed-in operator, and an intact chain.
  await page.goto("/audit");
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await page.getByLabel("From").fill(localInput(startedAt));
  await page.getByRole("button", { name: "Apply" }).click();
  for (const [action, messageId] of [["replay.outcome", "order-1040"], ["resend.outcome", "order-1041"], ["purge.outcome", "order-1042"]] as const) {
    const row = page.getByTestId("audit-row").filter({ has: page.getByTestId("audit-action").getByText(action, { exact: true }) }).filter({ hasText: messageId });
    await expect(row, `${action} of ${messageId}`).toHaveCount(1);
    await expect(row.getByTestId("audit-actor")).toHaveText(LOCAL_ADMIN.email);
  }
  await page.getByLabel("Action").selectOption("purge");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("audit-action").first()).toHaveText(/^purge\./);
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByTestId("verify-result")).toContainText("Chain intact");
});
