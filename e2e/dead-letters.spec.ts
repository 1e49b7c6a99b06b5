import { expect, test } from "@playwright/test";
import { ADMIN, e2eSql, signInLocal } from "./support";

/**
 * Dead letters: an admin finds the sends that failed for good (History → Dead letters), retries one —
 * refused with the reason, because its mailbox is no longer a sender mailbox of the tenant — and discards
 * two in bulk. Seeds its own tenant and failed sends (unique tag), so it runs beside other specs.
 */
test("an admin retries (refused with the reason under current grants) and discards dead letters in bulk", async ({ page }) => {
  const tag = `d${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const [admin] = await e2eSql<{ id: string }>(`select id from "User" where email = $1`, [ADMIN.email]);
  const tenantId = `t${tag}`;
  await e2eSql(`insert into "Tenant"(id, name, "directoryId", "clientId", "updatedAt") values ($1, $2, $3, $4, now())`, [tenantId, `Dead ${tag}`, `${tag}.example.com`, "00000000-0000-0000-0000-000000000001"]);
  for (const [n, code, message] of [
    ["1", "serviceNotAvailable", "The service is temporarily unavailable. — gave up after 6 tries."],
    ["2", "ErrorAccessDenied", "Access to OData is disabled."],
  ]) {
    await e2eSql(
      `insert into "Send"(id, "tenantId", mode, status, "actorUserId", "fromAddress", "toAddresses", "ccAddresses", "bccAddresses", "recipientCount", subject, body, "errorCode", "errorMessage", "attemptCount", "completedAt", "updatedAt")
       values ($1, $2, 'app', 'failed', $3, $4, $5, '{}', '{}', 1, $6, '<p>x</p>', $7, $8, 6, now(), now())`,
      [`${tag}${n}`, tenantId, admin!.id, `gone-${tag}@contoso.com`, [`someone.${tag}@fabrikam.com`], `Dead ${n} ${tag}`, code, message],
    );
  }
  await signInLocal(page);
  await page.goto("/history");
  await page.getByRole("link", { name: "Dead letters" }).click();
  await expect(page.getByRole("heading", { name: "Dead letters", exact: true })).toBeVisible();
  await expect(page.getByText("gave up after 6 tries").first()).toBeVisible();

  // Retry: the mailbox is no longer a sender mailbox of the tenant, so the portal refuses it and says why.
  await page.getByLabel(`Select "Dead 1 ${tag}"`).check();
  await page.getByRole("button", { name: /Retry selected \(1\)/ }).click();
  await expect(page.getByRole("list", { name: "Refused" })).toContainText(`Dead 1 ${tag}`);
  await expect(page.getByRole("status").filter({ hasText: "0 queued again, 1 refused" })).toBeVisible();

  // Discard both, selected with the keyboard.
  await page.reload();
  await page.getByLabel(`Select "Dead 1 ${tag}"`).focus();
  await page.keyboard.press("Space");
  await page.getByLabel(`Select "Dead 2 ${tag}"`).check();
  await page.getByRole("button", { name: "Discard selected" }).click();
  await expect(page.getByRole("status").filter({ hasText: "2 discarded" })).toBeVisible();
  await page.reload();
  await expect(page.getByText(`Dead 1 ${tag}`)).toHaveCount(0);
  const audit = await e2eSql<{ action: string }>(`select action from "AuditEvent" where target like $1 order by at`, [`${tag}%`]);
  expect(audit.map((a) => a.action)).toEqual(["dead-letter.retry-refused", "dead-letter.discarded", "dead-letter.discarded"]);
});
