import { expect, test, type Page } from "@playwright/test";
import pg from "pg";
import { E2E } from "./env";
import { ADMIN, grantMailbox, inviteMicrosoftUser, randomFile, sandbox, sandboxControl, signInLocal } from "./support";

// Compose and send against the sandbox tenant, as a person does. The throttling test throttles only a
// mailbox of its own (a fault scoped to that mailbox), so these tests and other files run side by side.

interface Delivered {
  subject: string;
  from: { address: string };
  cc: { address: string }[];
  body: { content: string };
  attachments: { name: string; size: number; sha256: string }[];
}

const uniq = () => Math.random().toString(36).slice(2, 8);

async function delivered(to: string, subject: string): Promise<Delivered[]> {
  const all = await sandboxControl<Delivered[]>(`/messages?to=${encodeURIComponent(to)}&subject=${encodeURIComponent(subject)}`);
  return all.filter((m) => m.subject === subject);
}

async function openCompose(page: Page) {
  await page.getByRole("link", { name: "Compose" }).click();
  await expect(page.getByRole("heading", { name: "Compose" })).toBeVisible();
}

// Admins are granted nothing implicitly: the admin is granted the mailboxes these tests send as, as on the Senders page.
test.beforeAll(async () => {
  const sb = await sandbox();
  for (const address of [sb.mailboxes.shared, sb.mailboxes.allowed, sb.mailboxes.outsidePolicy]) await grantMailbox({ email: ADMIN.email }, "Sandbox (Contoso demo)", address);
});

test("sends as the HR shared mailbox with To, Cc, an HTML body and attachments of 1 MB and 20 MB, byte-identical", async ({ page }, info) => {
  const sb = await sandbox();
  const domain = sb.tenant.domain;
  const small = await randomFile(info.outputDir, "welcome-pack.pdf", 1024 * 1024);
  const big = await randomFile(info.outputDir, "handbook.bin", 20 * 1024 * 1024);
  await signInLocal(page);
  await openCompose(page);

  const subject = `Welcome to Contoso ${uniq()}`;
  await page.getByLabel("From").selectOption(sb.mailboxes.shared);
  // A pasted list with a display name and two separators becomes two chips.
  await page.getByLabel("To", { exact: true }).focus();
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.setData("text/plain", text);
    document.activeElement!.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  }, `Lee Gu <lee.gu@${domain}>; nestor.wilke@${domain}`);
  await expect(page.getByRole("list", { name: "To recipients" }).getByRole("listitem")).toHaveCount(2);
  await page.getByLabel("Cc", { exact: true }).fill(`megan.bowen@${domain}`);
  await page.getByLabel("Cc", { exact: true }).press("Enter");
  await page.getByLabel("Subject").fill(subject);
  const editor = page.getByRole("textbox", { name: "Message body" });
  // The editor mounts after hydration: wait until it is editable and bold is on before typing.
  await expect(editor).toHaveAttribute("contenteditable", "true");
  await editor.click();
  await page.getByRole("button", { name: "Bold" }).click();
  await expect(page.getByRole("button", { name: "Bold" })).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.type("Welcome aboard!");
  await expect(editor).toHaveText("Welcome aboard!");
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.frameLocator('iframe[title="Preview of the message body"]').locator("strong")).toHaveText("Welcome aboard!");
  await page.locator("#attachments-input").setInputFiles(small.path);
  await expect(page.getByText("Uploaded to the portal")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "Save to Sent Items" })).toBeEnabled();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("send-status")).toHaveText("Accepted by Microsoft", { timeout: 30_000 });

  const [m] = await delivered(`lee.gu@${domain}`, subject);
  expect(m?.from.address).toBe(sb.mailboxes.shared);
  expect(m?.cc.map((c) => c.address)).toEqual([`megan.bowen@${domain}`]);
  expect(m?.body.content).toContain("<strong>Welcome aboard!</strong>");
  expect(m?.attachments).toEqual([expect.objectContaining({ name: "welcome-pack.pdf", sha256: small.sha256 })]);
  expect(await delivered(`nestor.wilke@${domain}`, subject)).toHaveLength(1);

  // A second message with a 20 MB file: a progress bar per file, then the draft + upload session path.
  await page.reload();
  const subject2 = `Handbook ${uniq()}`;
  await page.getByLabel("To", { exact: true }).fill(`lee.gu@${domain}`);
  await page.getByLabel("Subject").fill(subject2);
  await page.getByRole("textbox", { name: "Message body" }).click();
  await page.keyboard.type("The handbook is attached.");
  await page.locator("#attachments-input").setInputFiles(big.path);
  const bar = page.getByRole("progressbar", { name: "Upload of handbook.bin" });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute("value", "100", { timeout: 30_000 });
  // A sent draft always lands in Sent Items (/send has no saveToSentItems): the choice is shown as fixed, with why.
  const sentItems = page.getByRole("checkbox", { name: "Save to Sent Items" });
  await expect(sentItems).toBeChecked();
  await expect(sentItems).toBeDisabled();
  await expect(sentItems).toHaveAccessibleDescription(/Cannot be turned off for this message: attachments of 3 MB and more go through a draft and an upload session/);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("send-status")).toHaveText("Accepted by Microsoft", { timeout: 60_000 });
  await expect(page.getByTestId("attempt").filter({ hasText: "createUploadSession" })).toHaveCount(1);
  const [m2] = await delivered(`lee.gu@${domain}`, subject2);
  expect(m2?.attachments).toEqual([expect.objectContaining({ name: "handbook.bin", size: 20 * 1024 * 1024, sha256: big.sha256 })]);
});

test("bad input gets per-field messages and nothing typed is lost", async ({ page }) => {
  await signInLocal(page);
  await openCompose(page);
  await page.getByLabel("Cc", { exact: true }).fill("not-an-address");
  await page.getByLabel("Cc", { exact: true }).press("Enter");
  await expect(page.getByText('"not-an-address" is not an email address')).toBeVisible();
  await page.getByLabel("Subject").fill("Quarterly <script>alert(1)</script>");
  await page.getByRole("button", { name: "Add header" }).click();
  await page.getByLabel("Header 1 name").fill("Subject");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("Add at least one recipient in To, Cc or Bcc")).toBeVisible();
  await expect(page.getByText(/Custom header names must start with x-/)).toBeVisible();
  await expect(page.getByLabel("Subject")).toHaveValue("Quarterly <script>alert(1)</script>");
  await expect(page.getByLabel("Header 1 name")).toHaveValue("Subject");
  await expect(page.getByLabel("Cc", { exact: true })).toHaveValue("not-an-address");
});

test("a send from a mailbox outside the app's access policy shows the 403 explanation with the request-id", async ({ page }) => {
  const sb = await sandbox();
  const db = new pg.Client({ connectionString: E2E.databaseUrl });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO "SenderMailbox" (id, "tenantId", address) SELECT 'e2e-' || md5(random()::text), id, $1 FROM "Tenant" WHERE "directoryId" = $2 ON CONFLICT DO NOTHING`,
      [sb.mailboxes.outsidePolicy, sb.tenant.id],
    );
  } finally {
    await db.end();
  }
  await signInLocal(page);
  await openCompose(page);
  await page.getByLabel("From").selectOption(sb.mailboxes.outsidePolicy);
  await page.getByLabel("To", { exact: true }).fill(sb.mailboxes.allowed);
  await page.getByLabel("Subject").fill(`Outside ${uniq()}`);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("send-status")).toHaveText("Not sent", { timeout: 30_000 });
  const alert = page.getByRole("alert").filter({ hasText: "This mailbox is outside the app's restriction" });
  await expect(alert).toContainText(sb.mailboxes.outsidePolicy);
  await expect(alert).toContainText(/Request-id for Microsoft support: \S+/);
});

test("a throttled send is retried after Retry-After and the page shows each attempt", async ({ page }) => {
  const sb = await sandbox();
  // A shared mailbox of this test's own, inside the app's restriction (the access policy's group), so
  // the fault below is scoped to it and no other test's sends are throttled.
  const from = `throttled.${uniq()}@${sb.tenant.domain}`;
  await sandboxControl("/seed", { users: [{ userPrincipalName: from, displayName: "Throttled Sender", mailbox: "shared" }] });
  const ps = await sandboxControl<{ ok: boolean; transcript: string }>("/powershell/run", {
    tenant: sb.tenant.domain,
    script: `Connect-ExchangeOnline -ShowBanner:$false\nAdd-DistributionGroupMember -Identity '${sb.group}' -Member '${from}' -BypassSecurityGroupManagerCheck\n`,
  });
  expect(ps.ok, ps.transcript).toBe(true);
  await grantMailbox({ email: ADMIN.email }, "Sandbox (Contoso demo)", from);
  await signInLocal(page);
  await openCompose(page);
  await page.getByLabel("From").selectOption(from);
  await page.getByLabel("To", { exact: true }).fill(sb.mailboxes.allowed);
  const subject = `Throttled ${uniq()}`;
  await page.getByLabel("Subject").fill(subject);
  await sandboxControl("/faults", { rate: 1, statuses: [429], retryAfterSeconds: 2, mailbox: from });
  try {
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page.getByTestId("send-status")).toHaveText(/Retrying in \d+ s/, { timeout: 15_000 });
    await expect(page.getByTestId("attempt").first()).toContainText("throttled (Retry-After 2 s)");
  } finally {
    await sandboxControl("/faults", { rate: 0, mailbox: from });
  }
  await expect(page.getByTestId("send-status")).toHaveText("Accepted by Microsoft", { timeout: 30_000 });
  const attempts = page.getByTestId("attempt");
  await expect(attempts.last()).toContainText("accepted");
  expect(await attempts.count()).toBeGreaterThanOrEqual(2);
  expect(await delivered(sb.mailboxes.allowed, subject)).toHaveLength(1);
});

test("a person who signed in with Microsoft sends as themself (delegated)", async ({ page }) => {
  const sb = await sandbox();
  // adele.vance's role is changed by microsoft-sign-in.spec.ts, which may run at the same time:
  // a person of our own, seeded in the sandbox tenant, keeps this test independent.
  const upn = `diego.${uniq()}@${sb.tenant.domain}`;
  const password = "Sandbox-Diego-1!";
  await sandboxControl("/seed", { users: [{ userPrincipalName: upn, displayName: "Diego Siciliani", password, mailbox: "user" }] });
  // Admission is by approval by default: an admin's invitation lets this person straight in.
  await inviteMicrosoftUser(upn, "sender");
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with Microsoft (Sandbox (Contoso demo))" }).click();
  await page.getByRole("radio", { name: new RegExp(upn.replace(/\./g, "\\.")) }).check();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await openCompose(page);
  // No mailbox was granted to this person: sending as themself is the only way offered.
  await expect(page.getByRole("radio", { name: "As myself (delegated)" })).toHaveCount(0);
  await expect(page.getByLabel("From")).toHaveValue(upn);
  await page.getByLabel("To", { exact: true }).fill(`lee.gu@${sb.tenant.domain}`);
  const subject = `From me ${uniq()}`;
  await page.getByLabel("Subject").fill(subject);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("send-status")).toHaveText("Accepted by Microsoft", { timeout: 30_000 });
  const [m] = await delivered(`lee.gu@${sb.tenant.domain}`, subject);
  expect(m?.from.address).toBe(upn);
});
