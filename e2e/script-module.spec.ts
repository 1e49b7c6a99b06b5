import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { strFromU8, unzipSync } from "fflate";
import { psQuote } from "../lib/powershell/quote";
import { ADMIN, createLocalUser, e2eSql, signInLocal } from "./support";

/**
 * Scripts → PowerShell module (issue 13): an admin picks a tenant, a transport and a default sender, sees
 * each generated file with Copy and Download, and downloads the module folder as a zip. The tenants are
 * this file's own rows; one has a hostile name and sender address, which must arrive quoted, intact.
 * With fullyParallel a worker can run this file's beforeAll more than once with the same module state
 * (after another file's tests, or after a failure), so the inserts tolerate their own earlier rows.
 */

const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const hostileName = `O'Brien ‘Ops’ $(Remove-Item x) \`n <b>${tag}</b>`;
const sender = `o'brien.${tag}@contoso.example`;
const clientId = "11111111-2222-4333-8444-555555555555";
const ids = { ready: `e2emod${tag}a`, bare: `e2emod${tag}b` };

test.beforeAll(async () => {
  await e2eSql(`insert into "Tenant"(id, name, "directoryId", "clientId", "updatedAt") values ($1, $2, $3, $4, now()) on conflict (id) do nothing`, [ids.ready, hostileName, `${tag}-a.example.com`, clientId]);
  await e2eSql(`insert into "Tenant"(id, name, "directoryId", "updatedAt") values ($1, $2, $3, now()) on conflict (id) do nothing`, [ids.bare, `Module bare ${tag}`, `${tag}-b.example.com`]);
  await e2eSql(`insert into "SenderMailbox"(id, "tenantId", address) values ($1, $2, $3) on conflict (id) do nothing`, [`e2emodmb${tag}`, ids.ready, sender]);
});

test("an admin generates the module for a tenant, copies a file and downloads the zip", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signInLocal(page, ADMIN);
  await page.goto(`/scripts/module?tenant=${ids.ready}`);
  await expect(page.getByRole("heading", { name: "PowerShell module" })).toBeVisible();
  await page.getByLabel("Default sender (optional)").selectOption(sender);
  await page.getByRole("radio", { name: /Straight to Microsoft Graph with a certificate/ }).check();
  await page.getByRole("button", { name: "Show the module" }).click();
  await expect(page).toHaveURL(/transport=graph/);

  const psm1 = page.locator('pre[aria-label="GraphMail/GraphMail.psm1"]');
  await expect(psm1).toContainText(`TenantName = ${psQuote(hostileName)}`);
  await expect(psm1).toContainText(`DefaultFrom = ${psQuote(sender)}`);
  await expect(psm1).toContainText(`TokenUrl = 'https://login.microsoftonline.com/${tag}-a.example.com/oauth2/v2.0/token'`);
  await page.getByRole("button", { name: "Copy GraphMail/GraphMail.psm1" }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain(`TenantName = ${psQuote(hostileName)}`);

  // One file alone.
  const one = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download GraphMail/GraphMail.psd1 (GraphMail.psd1)" }).click();
  const psd1 = await readFile((await (await one).path())!, "utf8");
  expect(psd1.startsWith("\uFEFF@{")).toBe(true);
  expect(psd1).toContain("PowerShellVersion = '5.1'");

  // The folder as a zip: the primary action.
  const zip = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the module (.zip)" }).click();
  const download = await zip;
  expect(download.suggestedFilename()).toBe("GraphMail.zip");
  const entries = unzipSync(new Uint8Array(await readFile((await download.path())!)));
  expect(Object.keys(entries).sort()).toEqual(["GraphMail/GraphMail.psd1", "GraphMail/GraphMail.psm1", "GraphMail/README.txt"]);
  const bytes = entries["GraphMail/GraphMail.psm1"]!;
  // UTF-8 with a byte order mark (Windows PowerShell 5.1 reads a file without one as ANSI).
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const moduleText = strFromU8(bytes.slice(3));
  expect(moduleText.startsWith("#Requires -Version 5.1")).toBe(true);
  expect(moduleText).toBe(copied);
  expect(moduleText).toContain("function Send-GraphMailViaGraph");

  const [audit] = await e2eSql<{ n: string }>(`select count(*)::text as n from "AuditEvent" where action = 'scripts.module-downloaded' and "tenantId" = $1`, [ids.ready]);
  expect(Number(audit!.n)).toBe(2);
});

test("the REST API transport is the default; a tenant without an app cannot get the Graph transport", async ({ page }) => {
  await signInLocal(page, ADMIN);
  await page.goto(`/scripts/module?tenant=${ids.bare}`);
  await expect(page.getByRole("radio", { name: /REST API with a scoped key \(recommended\)/ })).toBeChecked();
  await expect(page.locator('pre[aria-label="GraphMail/GraphMail.psm1"]')).toContainText("/api/v1/messages");
  await page.getByRole("radio", { name: /Straight to Microsoft Graph/ }).check();
  await page.getByRole("button", { name: "Show the module" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "no application (client) ID yet" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Download the module (.zip)" })).toHaveCount(0);
  // The route refuses the same request with the field named.
  const res = await page.request.get(`/api/scripts/module?tenant=${ids.bare}&transport=graph`);
  expect(res.status()).toBe(422);
  expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields.transport).toMatch(/client\) ID/);
});

test("a sender may not open the module page", async ({ page }) => {
  const who = { email: `module-sender-${tag}@example.com`, name: "Module Sender", password: "module sender password 1", role: "sender" as const };
  await createLocalUser(who);
  await signInLocal(page, who);
  await page.goto("/scripts/module");
  await expect(page).toHaveURL(/\/\?denied=1$/);
});
