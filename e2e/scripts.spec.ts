import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { unzipSync } from "fflate";
import { createLocalUser, signInLocal } from "./support";

// The script migration kit (issue 13) as an admin uses it: upload three Send-MailMessage scripts, see them in
// the tenant's inventory with what needs attention, read one side by side, download the converted zip and
// the Send-GraphMailMessage module. Then the same pages as an auditor (reads, changes nothing) and a sender
// (no way in). A name carries HTML on purpose: it must show as text.
const tag = randomBytes(4).toString("hex");
const TENANT = "Sandbox (Contoso demo)";
const PASSWORD = `scripts e2e password ${tag}`;

const report = [
  "# Nightly report",
  "$cred = Import-Clixml -Path 'C:\\Scripts\\smtp.xml'",
  "$p = @{ From = 'reports@contoso.com'; To = 'ops@contoso.com' }",
  "$p.Subj = \"Nightly report $(Get-Date -Format d)\"",
  "$p['Body'] = '<h1>Report</h1>'",
  "Send-MailMessage @p -BodyAsHtml -SmtpServer smtp.office365.com -Port 587 -UseSsl -Credential $cred",
  "",
].join("\n");
const loop = [
  "Get-ADUser -Filter * -Properties mail | ForEach-Object {",
  "    Send-MailMessage -To $_.mail -From 'hr@contoso.com' -Subject \"Hello $($_.GivenName)\" `",
  "        -SmtpServer 'relay.corp.contoso.com'",
  "}",
  "",
].join("\r\n");
const legacy = "$c = New-Object System.Net.Mail.SmtpClient('relay.corp.contoso.com')\n$c.Send('a@contoso.com', 'b@contoso.com', 'Legacy', 'body')\n";

const names = { report: `report-${tag}.ps1`, loop: `loop-${tag}.ps1`, legacy: `legacy-${tag}-<img src=x onerror=alert(1)>.ps1` };

async function downloaded(page: Page, click: () => Promise<void>): Promise<Record<string, Uint8Array>> {
  const [dl] = await Promise.all([page.waitForEvent("download"), click()]);
  const file = await dl.path();
  return unzipSync(new Uint8Array(await readFile(file)));
}

test("an admin uploads three scripts, sees the inventory and a diff, downloads the converted zip and the module; an auditor reads, a sender is kept out", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const admin = { email: `scripts.admin.${tag}@example.com`, name: `Scripts Admin ${tag}`, password: PASSWORD, role: "admin" as const };
  await createLocalUser(admin);
  await signInLocal(page, admin);

  await page.goto("/scripts");
  await expect(page.getByRole("heading", { name: "Scripts", exact: true })).toBeVisible();
  await expect(page.getByText("not in this release")).toHaveCount(0);
  await expect(page.getByRole("link", { name: /Get the Send-GraphMailMessage module/ })).toBeVisible();

  // A refused form names the field.
  await page.getByRole("button", { name: "Convert", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: /No script could be read|Choose/ }).first()).toBeVisible();

  await page.getByLabel("Tenant", { exact: true }).first().selectOption({ label: TENANT });
  await page.getByLabel(/Script files/).setInputFiles([
    { name: names.report, mimeType: "text/plain", buffer: Buffer.from(report) },
    { name: names.loop, mimeType: "text/plain", buffer: Buffer.from(loop) },
    { name: names.legacy, mimeType: "text/plain", buffer: Buffer.from(legacy) },
  ]);
  await page.getByRole("button", { name: "Convert", exact: true }).click();
  const result = page.getByTestId("upload-result");
  await expect(result).toContainText(`${names.report}: 1 of 1 call converted, 1 to look at`);
  await expect(result).toContainText(`${names.loop}: 1 of 1 call converted, 1 to look at`);
  await expect(result).toContainText(`${names.legacy}: 0 of 0 calls converted, 1 to look at`);

  // The inventory of the tenant: counts per script, the HTML in a name shown as text; the filter keeps what needs attention.
  const filter = page.getByRole("form", { name: "Filter scripts" });
  await filter.getByLabel("Tenant").selectOption({ label: TENANT });
  await filter.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/tenant=/);
  const inventoryUrl = page.url();
  const table = page.getByTestId("scripts-table");
  const row = (n: string) => table.getByTestId(`script-${n}`);
  await expect(row(names.report)).toContainText("UTF-8");
  await expect(row(names.legacy).getByRole("link", { name: names.legacy, exact: true })).toHaveText(names.legacy);
  await expect(row(names.legacy).getByRole("link", { name: `Download converted ${names.legacy}` })).toBeVisible();
  await filter.getByLabel("Needs attention only").check();
  await filter.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/attention=1/);
  await expect(row(names.loop)).toBeVisible();

  // One script side by side: the call renamed, the abbreviated key written out, everything else as it was.
  await row(names.report).getByRole("link", { name: names.report, exact: true }).click();
  await expect(page.getByRole("heading", { name: names.report })).toBeVisible();
  const diff = page.getByTestId("script-diff");
  await expect(diff.locator("tr[data-kind=changed]")).toHaveCount(2);
  await expect(diff.locator("tr[data-kind=added]")).toHaveCount(1);
  await expect(diff).toContainText("Send-GraphMailMessage @p -BodyAsHtml");
  await expect(diff).toContainText("$p.Subject = \"Nightly report");
  await expect(diff).toContainText("Import-Module -Name 'GraphMail'");
  await expect(page.getByLabel("Needs attention")).toContainText("remove its stored password");
  await expect(page.getByRole("button", { name: `Copy converted ${names.report}` })).toBeVisible();

  // The converted zip of the tenant's scripts: each file converted, the CRLF file still CRLF.
  await page.getByRole("link", { name: "← Scripts" }).click();
  const zip = await downloaded(page, () => page.getByRole("link", { name: "Download converted (.zip)" }).click());
  const text = (n: string) => Buffer.from(zip[n]!).toString("utf8");
  expect(Object.keys(zip)).toEqual(expect.arrayContaining([names.report, names.loop, names.legacy]));
  expect(text(names.report)).toBe("# Nightly report\nImport-Module -Name 'GraphMail'\n" + report.slice("# Nightly report\n".length).replace("$p.Subj ", "$p.Subject ").replace("Send-MailMessage", "Send-GraphMailMessage"));
  expect(text(names.loop)).toBe("Import-Module -Name 'GraphMail'\r\n" + loop.replace("Send-MailMessage", "Send-GraphMailMessage"));
  expect(text(names.legacy)).toBe(legacy);

  // The module, from its page.
  await page.getByRole("link", { name: /Get the Send-GraphMailMessage module/ }).click();
  await expect(page).toHaveURL(/\/scripts\/module/);
  const moduleZip = await downloaded(page, () => page.getByRole("link", { name: "Download the module (.zip)" }).click());
  expect(Object.keys(moduleZip)).toEqual(expect.arrayContaining(["GraphMail/GraphMail.psm1", "GraphMail/GraphMail.psd1"]));
  expect(Buffer.from(moduleZip["GraphMail/GraphMail.psm1"]!).toString("utf8")).toContain("function Send-GraphMailMessage");

  // An auditor reads the inventory and the diff but has no upload, convert-again or delete.
  const auditor = { email: `scripts.auditor.${tag}@example.com`, name: `Scripts Auditor ${tag}`, password: PASSWORD, role: "auditor" as const };
  await createLocalUser(auditor);
  const ctx = await browser.newContext();
  const ap = await ctx.newPage();
  await signInLocal(ap, auditor);
  await ap.goto(inventoryUrl);
  await expect(ap.getByTestId(`script-${names.loop}`)).toBeVisible();
  await expect(ap.getByRole("button", { name: "Convert", exact: true })).toHaveCount(0);
  await expect(ap.getByRole("button", { name: /^Delete / })).toHaveCount(0);
  await ap.getByRole("link", { name: names.loop, exact: true }).click();
  await expect(ap.getByTestId("script-diff")).toContainText("Send-GraphMailMessage -To $_.mail");
  await expect(ap.getByRole("button", { name: /Convert again/ })).toHaveCount(0);
  await ctx.close();

  // A sender has no Scripts page.
  const sender = { email: `scripts.sender.${tag}@example.com`, name: `Scripts Sender ${tag}`, password: PASSWORD, role: "sender" as const };
  await createLocalUser(sender);
  const sctx = await browser.newContext();
  const sp = await sctx.newPage();
  await signInLocal(sp, sender);
  await expect(sp.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Scripts" })).toHaveCount(0);
  await sp.goto("/scripts");
  await expect(sp).toHaveURL(/\/\?denied=1$/);
  await sctx.close();

  // Back as the admin: delete one script; it leaves the inventory.
  await page.goto(inventoryUrl);
  page.once("dialog", (d) => void d.accept());
  await page.getByTestId(`script-${names.legacy}`).getByRole("button", { name: `Delete ${names.legacy}` }).click();
  await expect(page.getByTestId(`script-${names.legacy}`)).toHaveCount(0);
});
