import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, createLocalUser, signInLocal } from "./support";
import { parseCsv } from "../tests/support/csv";

/**
 * The audit trail, end to end: a real audited change (a role change on Settings → Users) shows up on
 * the Audit page with before → after and in its CSV export. Unique names, so it runs beside other specs.
 */
const tagged = () => `a${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function downloadCsv(page: Page): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^audit-\d{14}\.csv$/);
  return parseCsv(await readFile((await download.path())!, "utf8"));
}

test("an admin changes a role, finds it on Audit with before → after, and exports it as CSV", async ({ page }) => {
  const tag = tagged();
  const email = `${tag}.person@example.com`;
  await createLocalUser({ email, name: `Pat ${tag}`, password: "person password 123", role: "sender" });
  await signInLocal(page);

  // The audited action: sender → auditor on Settings → Users.
  await page.goto("/settings/users");
  const row = page.getByRole("row").filter({ hasText: email });
  await row.getByLabel(`Role of ${email}`).selectOption("auditor");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByText("User updated.")).toBeVisible();

  // Settings links to the trail; the navigation too.
  await page.goto("/settings");
  await expect(page.getByRole("link", { name: "Open the audit trail" })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Audit", exact: true })).toBeVisible();

  // Filter through the form: the view lands in the URL.
  await page.getByLabel("Action", { exact: true }).selectOption("user.updated");
  await page.getByLabel("Search target or action").fill(email);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/action=user\.updated/);
  await expect(page).toHaveURL(new RegExp(`q=${tag}`));
  await expect(page.getByLabel("Action", { exact: true })).toHaveValue("user.updated");
  await expect(page.getByLabel("Search target or action")).toHaveValue(email);
  const rows = page.getByTestId("audit-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(ADMIN.name);
  await expect(rows.first()).toContainText("user.updated");
  await expect(rows.first()).toContainText(email);
  // Only the changed field, before → after ("disabled" stayed false).
  const change = rows.first().getByTestId("audit-change");
  await expect(change).toHaveCount(1);
  await expect(change).toHaveText(/role:\s*sender\s*→\s*changed to\s*auditor/);
  await expect(rows.first()).toContainText("1 unchanged field");

  // Another action's filter does not show it.
  await page.goto(`/audit?action=${encodeURIComponent("tenant.*")}&q=${encodeURIComponent(email)}`);
  await expect(page.getByTestId("audit-row")).toHaveCount(0);
  await expect(page.getByText("No audit events match these filters.")).toBeVisible();

  // The CSV of the filtered view holds exactly that row.
  await page.goto(`/audit?action=user.updated&q=${encodeURIComponent(email)}`);
  const csv = await downloadCsv(page);
  expect(csv[0]).toEqual(["at", "actor", "action", "target", "tenant", "before", "after"]);
  expect(csv).toHaveLength(2);
  const [at, actor, action, target, tenant, before, after] = csv[1]!;
  expect(Number.isNaN(Date.parse(at!))).toBe(false);
  expect([actor, action, target, tenant]).toEqual([ADMIN.name, "user.updated", email, ""]);
  expect(JSON.parse(before!)).toEqual({ role: "sender", disabled: false });
  expect(JSON.parse(after!)).toEqual({ role: "auditor", disabled: false });

  // Hostile or malformed filters are named on the page, never a server error.
  const res = await page.goto(`/audit?action=${encodeURIComponent(`x' OR '1'='1`)}&from=2026-02-30&q=${encodeURIComponent(`<img src=x onerror=alert(1)>%_\r\n`)}`);
  expect(res?.status()).toBe(200);
  await expect(page.getByLabel("Action", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Action: choose one from the list, or a prefix ending in *, like tenant.*")).toBeVisible();
  await expect(page.getByText("The start date does not exist on the calendar.")).toBeVisible();
  await expect(page.locator("img[src=x]")).toHaveCount(0);
  const exportRes = await page.request.get(`/api/audit/export?from=nope`);
  expect(exportRes.status()).toBe(422);
});

test("an auditor can read the trail and export it, and change nothing", async ({ page }) => {
  const tag = tagged();
  const auditor = { email: `${tag}.auditor@example.com`, name: `Ivy ${tag}`, password: "auditor password 123", role: "auditor" as const };
  await createLocalUser(auditor);
  await signInLocal(page, auditor);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Audit", exact: true })).toBeVisible();
  // The first admin's claim is always there.
  await page.getByLabel("Action", { exact: true }).selectOption("portal.claimed");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByTestId("audit-row")).toHaveCount(1);
  await expect(page.getByTestId("audit-row")).toContainText(ADMIN.email);
  // Read-only: one form (the GET filters), whose only button applies them.
  await expect(page.locator("main form")).toHaveCount(1);
  await expect(page.locator("main form")).toHaveAttribute("method", "get");
  // The only buttons: Apply filters, and on phones the one that opens the same filters in a drawer.
  await expect(page.locator("main button")).toHaveText(["Apply filters", /^Filters/]);
  const res = await page.request.get("/api/audit/export?action=portal.claimed");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-disposition"]).toMatch(/^attachment; filename="audit-\d{14}\.csv"$/);
  expect(await res.text()).toContain(ADMIN.email);
  await page.goto("/settings");
  await expect(page.getByRole("link", { name: "Open the audit trail" })).toBeVisible();
});

test("a sender is turned away from the Audit page and its export", async ({ page }) => {
  const tag = tagged();
  const sender = { email: `${tag}.sender@example.com`, name: `Sam ${tag}`, password: "sender password 123", role: "sender" as const };
  await createLocalUser(sender);
  await signInLocal(page, sender);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit", exact: true })).toHaveCount(0);
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/\?denied=1$/);
  await expect(page.getByText("Your role (sender) cannot open that page.")).toBeVisible();
  const refused = await page.request.get("/api/audit/export");
  expect(refused.status()).toBe(403);
  expect(await refused.text()).not.toContain(ADMIN.email);
  await page.goto("/settings");
  await expect(page.getByRole("link", { name: "Open the audit trail" })).toHaveCount(0);
});
