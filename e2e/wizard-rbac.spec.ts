import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { sandbox, signInLocal } from "./support";

// Issue 11 item 4 / issue 15 "the recommended restriction dead-ends": the recommended path walked in the
// sandbox to a proved restriction. Register by script (its transcript already grants Mail.Send) → verify
// → restrict with RBAC for Applications (the default method, no group needed) → run the RBAC script →
// run the generated removal of the tenant-wide grant → Verify succeeds with no roles claim ("scoped by
// Exchange RBAC") → Prove shows 202 inside and the outside mailbox refused with 403, Microsoft's message as it came.
test("RBAC for Applications: RBAC script, tenant-wide grant removed by script, verified without roles, proved 202/403", async ({ page, request }) => {
  test.setTimeout(120_000);
  const sb = await sandbox();
  const domain = `r${randomBytes(4).toString("hex")}.sandbox`;
  const seeded = await request.post(`${sb.controlUrl}/seed`, {
    data: {
      tenants: [{ domain, displayName: domain }],
      users: [
        { tenant: domain, userPrincipalName: `hr-welcome@${domain}`, displayName: "HR Welcome", mailbox: "shared" },
        { tenant: domain, userPrincipalName: `alex@${domain}`, displayName: "Alex" },
      ],
    },
  });
  expect(seeded.status()).toBe(201);
  await signInLocal(page);
  await page.goto("/setup");
  await page.getByRole("link", { name: "Add tenant" }).click();
  await page.getByLabel("Display name").fill("Wizard RBAC");
  await page.getByLabel("Directory (tenant) ID or verified domain").fill(domain);
  await page.getByLabel("Sandbox (local stand-in)").check();
  await page.getByLabel("Application sending").check();
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page).toHaveURL(/\/register$/);

  // Register with a client secret: the script creates the app, grants Mail.Send (admin consent) and the secret.
  await page.getByRole("button", { name: "Use a client secret instead" }).click();
  const ps = page.getByRole("region", { name: "b) Microsoft Graph PowerShell" });
  await ps.getByRole("button", { name: "Run in the sandbox" }).click();
  await expect(ps.getByRole("status")).toContainText("The new client secret was saved, encrypted");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page).toHaveURL(/\/credential$/);
  await page.getByRole("link", { name: "Continue to admin consent" }).click();
  await page.getByRole("button", { name: "Someone else consented: verify instead" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.getByTestId("granted-roles")).toHaveText("Mail.Send");
  await page.getByRole("link", { name: "Continue" }).click();

  // RBAC for Applications is the default: no group to type.
  await expect(page.getByRole("radio", { name: /RBAC for Applications \(recommended\)/ })).toBeChecked();
  await page.getByLabel("Mailboxes the app may send as").fill(`hr-welcome@${domain}`);
  await page.getByLabel("A mailbox outside the restriction (for the proof)").fill(`alex@${domain}`);
  await page.getByRole("button", { name: "Save and generate the scripts" }).click();
  const rbac = page.getByRole("region", { name: "1. RBAC for Applications (recommended)" });
  await rbac.getByRole("button", { name: "Run in the sandbox" }).click();
  await expect(rbac.getByRole("status")).toHaveText("The script ran without errors.");
  await expect(rbac.getByRole("log")).toContainText("InScope");
  const removal = page.getByRole("region", { name: "2. Remove the tenant-wide grant" });
  // The step is a real script: copy and download like the others.
  await expect(removal.getByRole("button", { name: "Copy 2. Remove the tenant-wide grant" })).toBeVisible();
  await expect(removal.getByRole("link", { name: /Download/ })).toHaveAttribute("href", /\/scripts\/remove-grant$/);
  await removal.getByRole("button", { name: "Run in the sandbox" }).click();
  await expect(removal.getByRole("status")).toHaveText("The script ran without errors.");
  await expect(removal.getByRole("log")).toContainText("Removed: Mail.Send (application), tenant-wide.");

  await page.getByRole("link", { name: "Verify again" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.getByTestId("granted-roles")).toHaveText("none");
  await expect(page.getByTestId("rbac-scoped")).toContainText("Scoped by Exchange RBAC");
  await expect(page.getByText("Mail.Send (application) is missing")).toHaveCount(0);
  await page.getByRole("link", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/prove$/);

  await page.getByRole("button", { name: "Send the test messages" }).click();
  await expect(page.getByTestId("proof-202")).toContainText("202");
  await expect(page.getByTestId("proof-403")).toContainText("403 ErrorAccessDenied");
  // Microsoft's message as it came (for an RBAC scope not the access policy's "Access to OData is disabled").
  await expect(page.getByTestId("proof-403-message")).toContainText("Access is denied. Check credentials and try again.");
  await expect(page.getByText("Proved: the app sends only as the allowed mailboxes.")).toBeVisible();
  await page.getByRole("link", { name: "Finish" }).click();
  await expect(page.getByTestId("tenant-summary")).toContainText("proved (1 mailbox)");
});
