import { expect, test } from "@playwright/test";
import { ADMIN, e2eSql, signInLocal } from "./support";

test.use({ viewport: { width: 390, height: 844 } });

// At 390 px History's first screen shows sends; the filters wait in a labelled, keyboard-operable drawer.
test("on a phone, History shows sends first and keeps its filters in a drawer", async ({ page }) => {
  const tag = `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const [admin] = await e2eSql<{ id: string }>(`select id, "tenantId" from "User" where email = $1`, [ADMIN.email]);
  await e2eSql(`insert into "Tenant"(id, name, "directoryId", "updatedAt") values ($1, $2, $3, now())`, [`t${tag}`, `Mobile ${tag}`, `${tag}.example.com`]);
  for (const n of [1, 2]) {
    await e2eSql(
      `insert into "Send"(id, "tenantId", mode, status, "actorUserId", "fromAddress", "toAddresses", "ccAddresses", "bccAddresses", "recipientCount", subject, "updatedAt")
       values ($1, $2, 'app', 'accepted', $3, $4, $5, '{}', '{}', 1, $6, now())`,
      [`${tag}${n}`, `t${tag}`, admin!.id, `hr-${tag}@contoso.com`, [`someone.${tag}@fabrikam.com`], `Mobile ${n} ${tag}`],
    );
  }
  await signInLocal(page);
  await page.goto(`/history?q=${tag}`);
  await expect(page.getByTestId("send-row").first()).toBeInViewport();
  await expect(page.getByLabel("Search")).toBeHidden();

  const open = page.getByRole("button", { name: "Filters (1 on)" });
  await open.focus();
  await page.keyboard.press("Enter");
  const drawer = page.getByRole("dialog", { name: "Filter sends" });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByLabel("Search")).toHaveValue(tag);
  // Escape closes it and gives focus back to the button.
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();
  await expect(open).toBeFocused();

  await open.click();
  await drawer.getByLabel("Search").fill(`mobile 2 ${tag}`);
  await drawer.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/q=mobile/);
  await expect(page.getByTestId("send-row")).toHaveCount(1);
  await expect(page.getByTestId("send-row")).toContainText(`Mobile 2 ${tag}`);
});
