import { expect, test, type Page } from "@playwright/test";
import { ADMIN, e2eSql, grantMailbox, sandbox, sandboxControl, signInLocal } from "./support";

/**
 * Delivery status beyond 202 (issue 16): an admin sends through Compose, the trace job (every 5 s in e2e)
 * joins Exchange message trace from the sandbox, and History shows per recipient what happened — one
 * recipient delivered, one quarantined (the sandbox's message trace fault, scoped to this test's own
 * address) — with the detail events one click away, and the "Delivered" / "Not delivered" filters.
 */
const TENANT = "Sandbox (Contoso demo)";
const uniq = () => Math.random().toString(36).slice(2, 8);

async function send(page: Page, from: string, to: string[], subject: string) {
  await page.goto("/compose");
  await page.getByLabel("From").selectOption(from);
  for (const address of to) {
    await page.getByLabel("To", { exact: true }).fill(address);
    await page.getByLabel("To", { exact: true }).press("Enter");
  }
  await page.getByLabel("Subject").fill(subject);
  const editor = page.getByRole("textbox", { name: "Message body" });
  await expect(editor).toHaveAttribute("contenteditable", "true");
  await editor.click();
  await page.keyboard.type("Delivery status check.");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("send-status")).toHaveText("Accepted by Microsoft", { timeout: 30_000 });
}

test("an admin sees a delivered and a quarantined recipient in History and opens the detail events", async ({ page }) => {
  test.setTimeout(180_000);
  const sb = await sandbox();
  const tag = uniq();
  const held = `held-${tag}@fabrikam.example`;
  await grantMailbox({ email: ADMIN.email }, TENANT, sb.mailboxes.shared);
  await e2eSql(`update "Tenant" set "messageTrace" = true where name = $1`, [TENANT]);
  const current = await sandboxControl<{ quarantine: string[] }>("/message-trace");
  await sandboxControl("/message-trace", { quarantine: [...current.quarantine, held] });

  await signInLocal(page);
  const mixed = `Delivery mixed ${tag}`;
  const clean = `Delivery clean ${tag}`;
  await send(page, sb.mailboxes.shared, [sb.mailboxes.allowed, held], mixed);
  await send(page, sb.mailboxes.shared, [sb.mailboxes.allowed], clean);

  // History: the trace job joins within a few runs; the list shows the verdict beside "Accepted".
  await page.goto(`/history?q=${encodeURIComponent(tag)}`);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("send-row").filter({ hasText: mixed })).toContainText("Not delivered", { timeout: 1000 });
    await expect(page.getByTestId("send-row").filter({ hasText: clean })).toContainText("Delivered", { timeout: 1000 });
  }).toPass({ timeout: 90_000 });

  // The filters: "Delivered" lists the clean send only, "Not delivered" the mixed one.
  await page.getByLabel("Delivery").selectOption({ label: "Delivered" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByTestId("send-row")).toHaveCount(1);
  await expect(page.getByTestId("send-row")).toContainText(clean);
  await page.getByLabel("Delivery").selectOption({ label: "Not delivered" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByTestId("send-row")).toHaveCount(1);

  // The send's page: per recipient, then the quarantined recipient's events, fetched from message trace.
  await page.getByRole("link", { name: mixed }).click();
  const delivery = page.getByRole("table", { name: "Delivery per recipient" });
  await expect(delivery.getByRole("row").filter({ hasText: sb.mailboxes.allowed })).toContainText("Delivered");
  await expect(delivery.getByRole("row").filter({ hasText: held })).toContainText("Quarantined");
  await page.getByRole("link", { name: `Delivery events for ${held}` }).click();
  await expect(page.getByRole("heading", { name: `Delivery events for ${held}` })).toBeVisible();
  const events = page.getByRole("table", { name: "Events reported by Exchange message trace" });
  await expect(events).toContainText("Receive");
  await expect(events).toContainText("Quarantine");
  // The quarantined recipient never got a copy; the other one did.
  expect(await sandboxControl<unknown[]>(`/messages?to=${encodeURIComponent(held)}`)).toHaveLength(0);
});
