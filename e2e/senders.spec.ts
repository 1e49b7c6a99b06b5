import { expect, test, type Page } from "@playwright/test";
import { createLocalUser, e2eSql, sandbox, signInLocal } from "./support";

/**
 * The Senders page and portal groups. Every name carries a unique tag, and the mailbox edits happen in a
 * tenant this file seeds for itself, so the specs that send real mail from the sandbox tenant are undisturbed.
 */
const newTag = () => `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function openSenders(page: Page, tenantName: string) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Senders" }).click();
  await expect(page.getByRole("heading", { name: "Senders", level: 1 })).toBeVisible();
  await page.getByLabel("Tenant").selectOption({ label: tenantName });
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(/[?&]tenant=/);
  await expect(page.getByRole("heading", { name: `Sender mailboxes of ${tenantName}` })).toBeVisible();
}

test("an admin puts a new sender in a group, grants the group the shared mailbox, finds it, and removes it", async ({ page }) => {
  const tag = newTag();
  const sb = await sandbox();
  const shared = sb.mailboxes.shared.toLowerCase();
  const sender = { email: `${tag}.sam@example.com`, name: `Sam ${tag}`, password: "sender password 123", role: "sender" as const };
  await createLocalUser(sender);
  const group = `HR team ${tag}`;

  await signInLocal(page);

  // Settings → Groups: create the group, refuse the same name twice, add the sender.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("link", { name: "Manage groups" }).click();
  await expect(page.getByRole("heading", { name: "Groups", level: 1 })).toBeVisible();
  await page.getByLabel("Group name").fill(group);
  await page.getByRole("button", { name: "Create group" }).click();
  const addMember = page.getByLabel(`Add a member to ${group}`);
  await expect(addMember).toBeVisible();

  await page.getByLabel("Group name").fill(group.toUpperCase());
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page.getByText(`A group named "${group.toUpperCase()}" exists already. Choose another name.`)).toBeVisible();
  await expect(page.getByLabel("Group name")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Group name")).toHaveValue(group.toUpperCase());

  await addMember.selectOption({ label: `${sender.name} (${sender.email})` });
  await page.getByRole("form", { name: `New member of ${group}` }).getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("list", { name: `Members of ${group}` })).toContainText(sender.name);

  // Senders: the sandbox tenant's shared mailbox, granted to the group.
  await openSenders(page, "Sandbox (Contoso demo)");
  const row = page.getByTestId("mailbox-row").filter({ hasText: shared });
  await expect(row).toHaveCount(1);
  await expect(row.getByText(/^(proved|not proved|outside the restriction)$/)).toBeVisible();
  await row.getByLabel(`Grant ${shared} to`).selectOption({ label: `${group} (group, 1 member)` });
  await row.getByRole("button", { name: "Grant", exact: true }).click();
  const grantees = row.getByRole("list", { name: `Who may send as ${shared}` });
  await expect(grantees).toContainText(group);
  await expect(grantees).toContainText("group, 1 member");

  // Granting it again is refused at the select, not with a server error.
  await row.getByLabel(`Grant ${shared} to`).selectOption({ label: `${group} (group, 1 member)` });
  await row.getByRole("button", { name: "Grant", exact: true }).click();
  await expect(row.getByText(`${group} may already send as ${shared}.`)).toBeVisible();
  await expect(row.getByLabel(`Grant ${shared} to`)).toHaveAttribute("aria-invalid", "true");

  // Search by the group's name (any letter case): only that mailbox, with that grant.
  await page.getByLabel("Search").fill(group.toLowerCase());
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(/[?&]q=/);
  await expect(page.getByTestId("mailbox-row")).toHaveCount(1);
  await expect(page.getByTestId("mailbox-row")).toContainText(shared);
  await expect(page.getByTestId("mailbox-row")).toContainText(group);

  // Remove it: the search now finds nothing, and the unfiltered list no longer shows the group.
  await page.getByRole("button", { name: `Remove ${group} from ${shared}` }).click();
  await expect(page.getByText("No mailbox or grantee matches the search.")).toBeVisible();
  await page.getByLabel("Search").fill("");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page.getByTestId("mailbox-row").filter({ hasText: shared })).toHaveCount(1);
  await expect(page.getByRole("button", { name: `Remove ${group} from ${shared}` })).toHaveCount(0);

  const events = await e2eSql<{ action: string }>(`select action from "AuditEvent" where target = $1 and (after->>'name' = $2 or before->>'name' = $2) order by at`, [shared, group]);
  expect(events.map((e) => e.action)).toEqual(["grant.added", "grant.removed"]);
});

test("an admin adds a sender mailbox (hostile input refused on the field) and removes it; an auditor only reads", async ({ page, browser }) => {
  const tag = newTag();
  const tenantName = `Senders ${tag}`;
  await e2eSql(`insert into "Tenant"(id, name, "directoryId", "updatedAt") values ($1, $2, $3, now())`, [`t${tag}`, tenantName, `${tag}.example.com`]);
  const address = `desk-${tag}@contoso.example`;

  await signInLocal(page);
  await openSenders(page, tenantName);
  await expect(page.getByText(`${tenantName} has no sender mailboxes yet. Add one below.`)).toBeVisible();

  const field = page.getByLabel("Mailbox address");
  await field.fill(`"><script>alert(1)</script>@contoso.example`);
  await page.getByRole("button", { name: "Add mailbox" }).click();
  await expect(page.getByText("Enter a mailbox address such as hr-welcome@contoso.com")).toBeVisible();
  await expect(field).toHaveAttribute("aria-invalid", "true");

  await field.fill(`  ${address.toUpperCase()} `);
  await page.getByRole("button", { name: "Add mailbox" }).click();
  const row = page.getByTestId("mailbox-row").filter({ hasText: address });
  await expect(row).toHaveCount(1);
  await expect(row.getByText("not proved", { exact: true })).toBeVisible();
  await expect(row.getByText("Nobody yet.")).toBeVisible();

  // The auditor sees the same table and no way to change it.
  const auditor = { email: `${tag}.otto@example.com`, name: `Otto ${tag}`, password: "auditor password 123", role: "auditor" as const };
  await createLocalUser(auditor);
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await signInLocal(other, auditor);
  await openSenders(other, tenantName);
  await expect(other.getByTestId("mailbox-row").filter({ hasText: address })).toHaveCount(1);
  await expect(other.getByRole("button", { name: "Grant" })).toHaveCount(0);
  await expect(other.getByRole("button", { name: "Add mailbox" })).toHaveCount(0);
  await expect(other.getByText("Remove mailbox…")).toHaveCount(0);
  await ctx.close();

  await row.getByText("Remove mailbox…").click();
  await row.getByRole("button", { name: `Remove mailbox ${address}` }).click();
  await expect(page.getByTestId("mailbox-row")).toHaveCount(0);
  await expect(page.getByText(`${tenantName} has no sender mailboxes yet. Add one below.`)).toBeVisible();
});
