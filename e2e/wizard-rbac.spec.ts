import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { sandbox, sandboxControl, signInLocal } from "./support";

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
  const ps = page.getByRole("region", { name: "Microsoft Graph PowerShell (recommended)" });
  await ps.getByRole("button", { name: "Run in the sandbox" }).click();
  await expect(ps.getByRole("status")).toContainText("The new client secret was saved, encrypted");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page).toHaveURL(/\/credential$/);
  // The script granted admin consent: the step is skipped with its reason, no browser round trip.
  await page.getByRole("link", { name: "Continue to admin consent" }).click();
  await expect(page.getByTestId("consent-skipped")).toContainText("already granted by the registration script");
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
  await rbac.getByText("Console transcript").click();
  await expect(rbac.getByRole("log")).toContainText("InScope");
  const removal = page.getByRole("region", { name: "2. Remove the tenant-wide grant" });
  // The step is a real script: copy and download like the others.
  await expect(removal.getByRole("button", { name: "Copy 2. Remove the tenant-wide grant" })).toBeVisible();
  await expect(removal.getByRole("link", { name: /Download/ })).toHaveAttribute("href", /\/scripts\/remove-grant$/);
  await removal.getByRole("button", { name: "Run in the sandbox" }).click();
  await expect(removal.getByRole("status")).toHaveText("The script ran without errors.");
  await removal.getByText("Console transcript").click();
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

// Issue 15 "changing the restriction after Done": the recommended path proved, then a second mailbox added.
// The tenant drops to "needs proof"; the Prove step refuses the new mailbox until Exchange's scope includes it;
// the regenerated RBAC script runs AGAIN without errors (it finds the service principal, the scope and the
// role assignment and replaces the scope's filter with Set-ManagementScope instead of failing on New-*), and
// the tenant is proved again: 202 for both mailboxes (the new one's test message delivered), 403 outside.
test("RBAC for Applications: after a mailbox is added, the regenerated script re-runs without errors and the tenant is proved again", async ({ page, request }) => {
  test.setTimeout(150_000);
  const sb = await sandbox();
  const domain = `r${randomBytes(4).toString("hex")}.sandbox`;
  const [first, added, outside] = [`hr-welcome@${domain}`, `sales@${domain}`, `alex@${domain}`];
  const seeded = await request.post(`${sb.controlUrl}/seed`, {
    data: {
      tenants: [{ domain, displayName: domain }],
      users: [
        { tenant: domain, userPrincipalName: first, displayName: "HR Welcome", mailbox: "shared" },
        { tenant: domain, userPrincipalName: added, displayName: "Sales", mailbox: "shared" },
        { tenant: domain, userPrincipalName: outside, displayName: "Alex" },
      ],
    },
  });
  expect(seeded.status()).toBe(201);
  await signInLocal(page);
  await page.goto("/setup");
  await page.getByRole("link", { name: "Add tenant" }).click();
  await page.getByLabel("Display name").fill("Wizard RBAC re-run");
  await page.getByLabel("Directory (tenant) ID or verified domain").fill(domain);
  await page.getByLabel("Sandbox (local stand-in)").check();
  await page.getByLabel("Application sending").check();
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page).toHaveURL(/\/register$/);
  const base = page.url().replace(/\/register$/, "");
  await page.getByRole("button", { name: "Use a client secret instead" }).click();
  const ps = page.getByRole("region", { name: "Microsoft Graph PowerShell (recommended)" });
  await ps.getByRole("button", { name: "Run in the sandbox" }).click();
  await expect(ps.getByRole("status")).toContainText("The new client secret was saved, encrypted");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await page.getByRole("link", { name: "Continue to admin consent" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.getByTestId("granted-roles")).toHaveText("Mail.Send");
  await page.getByRole("link", { name: "Continue" }).click();

  const restrict = async (mailboxes: string[]) => {
    await page.getByLabel("Mailboxes the app may send as").fill(mailboxes.join("\n"));
    await page.getByLabel("A mailbox outside the restriction (for the proof)").fill(outside);
    await page.getByRole("button", { name: "Save and generate the scripts" }).click();
  };
  const runBoth = async () => {
    const card = page.locator("section", { has: page.getByRole("heading", { name: "The recommended restriction, in one run" }) });
    await card.getByRole("button", { name: "Run both in the sandbox" }).click();
    await expect(card.getByRole("status")).toHaveText("The script ran without errors.");
    await card.getByText("Console transcript").click();
    return card.getByRole("log");
  };
  const prove = async () => {
    await page.getByRole("button", { name: /Send the test messages|Re-check/ }).click();
  };

  // 1. The first restriction, proved.
  await restrict([first]);
  const firstRun = await runBoth();
  await expect(firstRun).toContainText("Management scope: created for the listed mailboxes.");
  await expect(firstRun).toContainText("Removed: Mail.Send (application), tenant-wide.");
  await page.getByRole("link", { name: "Continue to the proof" }).click();
  await prove();
  await expect(page.getByTestId("proof-202")).toContainText("202");
  await expect(page.getByTestId("proof-403")).toContainText("403 ErrorAccessDenied");
  await expect(page.getByText("Proved: the app sends only as the allowed mailboxes.")).toBeVisible();
  await page.getByRole("link", { name: "Finish" }).click();
  await expect(page.getByTestId("tenant-summary")).toContainText("proved (1 mailbox)");

  // 2. A second mailbox added after Done: the tenant needs proof again.
  await page.goto(`${base}/restrict`);
  await expect(page.getByLabel("Mailboxes the app may send as")).toHaveValue(first);
  await restrict([first, added]);
  await expect(page.getByText("needs proof", { exact: true }).first()).toBeVisible();
  // Exchange's scope still holds only the first mailbox: the proof refuses the new one (the first failure is shown).
  await page.goto(`${base}/prove`);
  await prove();
  await expect(page.getByTestId("proof-202")).toContainText(added);
  await expect(page.getByTestId("proof-202")).toContainText("403");
  await expect(page.getByText("Proved: the app sends only as the allowed mailboxes.")).toHaveCount(0);

  // 3. The regenerated script, run again: no "already exists", the scope's filter replaced; the removal finds nothing left.
  await page.goto(`${base}/restrict`);
  const rbac = page.getByRole("region", { name: "1. RBAC for Applications (recommended)" });
  // The script shown (and downloaded) is the same re-runnable one: look up, then Set- or New-.
  await expect(rbac.locator("pre")).toContainText("Set-ManagementScope -Identity 'Graph Mail Portal senders'");
  const again = await runBoth();
  await expect(again).toContainText("Service principal: already registered with Exchange.");
  await expect(again).toContainText("Management scope: updated for the listed mailboxes.");
  await expect(again).toContainText("Role assignment: Application Mail.Send in the scope already assigned to the app.");
  await expect(again).toContainText("Mail.Send (application) is not granted tenant-wide: nothing to remove.");
  await expect(again).not.toContainText("already exists");
  await expect(again).not.toContainText("CategoryInfo");

  // 4. Proved again: 202 for both listed mailboxes (the new one's test message was delivered), 403 outside.
  await page.getByRole("link", { name: "Continue to the proof" }).click();
  await prove();
  await expect(page.getByTestId("proof-202")).toContainText("202");
  await expect(page.getByTestId("proof-403")).toContainText("403 ErrorAccessDenied");
  await expect(page.getByText("Proved: the app sends only as the allowed mailboxes.")).toBeVisible();
  const delivered = await sandboxControl<{ from: { address: string } }[]>(`/messages?to=${encodeURIComponent(added)}&subject=${encodeURIComponent("Graph Mail Portal: restriction test")}`);
  // Two test sends from the new mailbox reached Graph; only the second, after the re-run, was accepted and delivered.
  expect(delivered.map((m) => m.from.address.toLowerCase())).toEqual([added]);
  await page.getByRole("link", { name: "Finish" }).click();
  await expect(page.getByTestId("tenant-summary")).toContainText("proved (2 mailboxes)");
});
