import { expect, test, type Page } from "@playwright/test";
import { ADMIN, createLocalUser, e2eSql, signInLocal } from "./support";

/**
 * The dashboard answers "is mail flowing?": sends today, failures needing action, each mailbox against
 * Exchange's limits, tenants needing attention — each linking to where to act. Each test seeds its own
 * tenant, sender and sends (unique tag), so it runs beside specs that send real mail.
 */
async function seed() {
  const tag = `d${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const sender = { email: `${tag}.sender@example.com`, name: `Dee ${tag}`, password: "sender password 123", role: "sender" as const };
  const senderId = await createLocalUser(sender);
  const [admin] = await e2eSql<{ id: string }>(`select id from "User" where email = $1`, [ADMIN.email]);
  const tenantId = `t${tag}`;
  await e2eSql(`insert into "Tenant"(id, name, "directoryId", "wizardStep", "updatedAt") values ($1, $2, $3, 'consent', now())`, [tenantId, `Dash ${tag}`, `${tag}.example.com`]);
  const from = `ops-${tag}@contoso.com`;
  // [actor, status, test, recipients]: the sender's 2 accepted + 1 failed today, and one of the wizard's
  // restriction tests refused as intended (403) — which must not count as a failure.
  const rows: [string, string, boolean, number][] = [
    [senderId, "accepted", false, 3],
    [senderId, "accepted", false, 2],
    [senderId, "failed", false, 1],
    [senderId, "failed", true, 1],
    // Many recipients, so the mailbox is among the busiest the admin sees beside other specs' sends.
    [admin!.id, "accepted", false, 4000],
  ];
  let i = 0;
  for (const [actor, status, isTest, rc] of rows) {
    await e2eSql(
      `insert into "Send"(id, "tenantId", mode, status, "actorUserId", "fromAddress", "toAddresses", "ccAddresses", "bccAddresses", "recipientCount", subject, test, "createdAt", "completedAt", "updatedAt")
       values ($1, $2, 'app', $3::"SendStatus", $4, $5, $6, '{}', '{}', $7, $8, $9, now() - interval '1 second' * $10, now(), now())`,
      [`${tag}s${i}`, tenantId, status, actor, from, [`someone.${tag}@fabrikam.com`], rc, `Dash ${status} ${i} ${tag}`, isTest, i],
    );
    i++;
  }
  return { tag, sender, tenantId, from };
}

const needsAction = (page: Page, label: string) => page.getByTestId("needs-action").getByRole("link", { name: new RegExp(`^${label}:`) });

test("a sender's dashboard counts their own sends only, leaves the wizard's tests out, and links to where to act", async ({ page }) => {
  const { sender, from } = await seed();
  await signInLocal(page, sender);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  // 3 of the sender's own sends today; the admin's send from the same mailbox and the wizard's test are not theirs to count.
  await expect(page.getByTestId("sends-today")).toHaveText("3");
  await expect(needsAction(page, "Failed")).toHaveAccessibleName("Failed: 1");
  await expect(page.getByTestId("needs-action").getByRole("link", { name: /^Dead letters/ })).toHaveCount(0);
  // Mailbox use: the sender's own 5 recipients (of 10,000 a day) from the seeded mailbox.
  const quota = page.getByTestId("mailbox-quota").getByRole("listitem").filter({ hasText: from });
  await expect(quota).toContainText("2 sent");
  await expect(quota.getByRole("meter", { name: `Recipients in the last 24 hours from ${from}` })).toHaveAttribute("aria-valuenow", "5");
  // Tenants are admins' business: nothing about them here.
  await expect(page.getByTestId("tenant-attention")).toHaveCount(0);
  // One primary action.
  await expect(page.getByRole("main").getByRole("link", { name: "New message", exact: true })).toHaveAttribute("href", "/compose");

  await needsAction(page, "Failed").click();
  await expect(page).toHaveURL(/\/history\?status=failed&from=\d{4}-\d{2}-\d{2}$/);
  await expect(page.getByTestId("send-row")).toHaveCount(1);
});

test("an admin sees tenants needing attention with the step to act on, and History hides the wizard's tests unless asked", async ({ page }) => {
  const { tag, tenantId, from } = await seed();
  await signInLocal(page);
  const attention = page.getByTestId("tenant-attention").getByRole("listitem").filter({ hasText: `Dash ${tag}` });
  await expect(attention).toContainText('Setup not finished: next step "Admin consent".');
  const act = attention.getByRole("link", { name: "Continue setup" });
  await expect(act).toHaveAttribute("href", `/setup/${tenantId}/consent`);
  await expect(act).toHaveAccessibleDescription(`Dash ${tag}`);
  await expect(page.getByTestId("needs-action").getByRole("link", { name: /^Dead letters/ })).toHaveAttribute("href", "/history/dead-letters");
  // The next step (demo mode too, where a sandbox tenant exists before any setup): while a tenant is not
  // set up, the one primary action continues the first such tenant's setup at its exact wizard step.
  const next = page.getByTestId("next-step");
  const nextLink = next.getByRole("link", { name: "Continue setup", exact: true });
  await expect(nextLink).toHaveAttribute("href", /^\/setup\/[^/]+\/(tenant|register|credential|consent|verify|restrict|prove)$/);
  const first = page.getByTestId("tenant-attention").getByRole("listitem").filter({ has: page.getByRole("link", { name: "Continue setup" }) }).first();
  await expect(nextLink).toHaveAttribute("href", (await first.getByRole("link").getAttribute("href"))!);
  await expect(next).toContainText(`${await first.locator(`span[id^="attention-"]`).innerText()}: Setup not finished: next step`);
  await expect(page.getByRole("main").getByRole("link", { name: "Continue setup", exact: true }).first()).toBeVisible();
  // Every sender's use of the mailbox: 3 + 2 + 4000 recipients (the wizard's test left out).
  const quota = page.getByTestId("mailbox-quota").getByRole("listitem").filter({ hasText: from });
  await expect(quota.getByRole("meter", { name: `Recipients in the last 24 hours from ${from}` })).toHaveAttribute("aria-valuenow", "4005");

  await page.goto(`/history?q=${tag}`);
  await expect(page.getByTestId("send-row")).toHaveCount(4);
  await expect(page.getByText("Setup wizard test", { exact: true })).toHaveCount(0);
  await page.getByLabel("Setup wizard tests").selectOption({ label: "Only these" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/tests=only/);
  await expect(page.getByTestId("send-row")).toHaveCount(1);
  await expect(page.getByTestId("send-row")).toContainText("Setup wizard test");
});

test("a sender's next step is a new message, naming the mailboxes they may send as", async ({ page }) => {
  const { sender, from, tag, tenantId } = await seed();
  const [u] = await e2eSql<{ id: string }>(`select id from "User" where email = $1`, [sender.email]);
  await e2eSql(`insert into "SenderMailbox"(id, "tenantId", address) values ($1, $2, $3)`, [`m${tag}`, tenantId, from]);
  await e2eSql(`insert into "SenderGrant"(id, "mailboxId", "userId") values ($1, $2, $3)`, [`g${tag}`, `m${tag}`, u!.id]);
  await signInLocal(page, sender);
  const next = page.getByTestId("next-step");
  await expect(next).toContainText(`You may send as ${from}.`);
  await expect(next.getByRole("link", { name: "New message", exact: true })).toHaveAttribute("href", "/compose");
});
