import { expect, test, type Page } from "@playwright/test";
import pg from "pg";
import { E2E } from "./env";
import { ADMIN, e2eSql, grantMailbox, inviteMicrosoftUser, randomFile, sandbox, sandboxControl, signInLocal } from "./support";

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

/** Cc, Bcc, Reply-To, importance and custom headers are folded under "More options" until used. */
async function moreOptions(page: Page) {
  const more = page.getByRole("button", { name: "More options" });
  if ((await more.getAttribute("aria-expanded")) !== "true") await more.click();
  await expect(more).toHaveAttribute("aria-expanded", "true");
}

const sendButton = (page: Page) => page.getByRole("button", { name: "Send", exact: true });

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
  // Folded until used: no Cc field on screen before "More options".
  await expect(page.getByRole("button", { name: "More options" })).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByLabel("Cc", { exact: true })).toBeHidden();
  await expect(page.getByLabel("Importance")).toBeHidden();
  await moreOptions(page);
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
  // The attachment's bar is the portal's own progress component, not the browser's <progress>.
  const smallBar = page.getByRole("progressbar", { name: "Upload of welcome-pack.pdf" });
  await expect(smallBar).toHaveAttribute("aria-valuenow", "100");
  await expect(smallBar).toHaveAttribute("aria-valuetext", "100%");
  await expect(page.locator("progress")).toHaveCount(0);
  await sendButton(page).click();
  // The status appears under the Send button and takes the focus; the message is locked, nothing can be sent twice.
  await expect(page.getByRole("region", { name: /^Send status/ })).toBeFocused();
  await expect(page.getByTestId("send-status")).toHaveText("Accepted by Microsoft", { timeout: 30_000 });
  await expect(page.getByLabel("Subject")).toBeDisabled();
  await expect(sendButton(page)).toHaveCount(0);

  const [m] = await delivered(`lee.gu@${domain}`, subject);
  expect(m?.from.address).toBe(sb.mailboxes.shared);
  expect(m?.cc.map((c) => c.address)).toEqual([`megan.bowen@${domain}`]);
  expect(m?.body.content).toContain("<strong>Welcome aboard!</strong>");
  expect(m?.attachments).toEqual([expect.objectContaining({ name: "welcome-pack.pdf", sha256: small.sha256 })]);
  expect(await delivered(`nestor.wilke@${domain}`, subject)).toHaveLength(1);

  // "Send another": one click to an empty message from the same mailbox, focus in To, the options folded again.
  await page.getByRole("button", { name: "Send another" }).click();
  await expect(page.getByLabel("To", { exact: true })).toBeFocused();
  await expect(page.getByRole("list", { name: "To recipients" }).getByRole("listitem")).toHaveCount(0);
  await expect(page.getByLabel("Subject")).toHaveValue("");
  await expect(page.getByLabel("Subject")).toBeEnabled();
  await expect(page.getByLabel("From")).toHaveValue(sb.mailboxes.shared);
  await expect(page.getByRole("button", { name: "More options" })).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByRole("list", { name: "Attachments" }).getByRole("listitem")).toHaveCount(0);
  await expect(page.getByTestId("send-status")).toHaveCount(0);
  await expect(page.getByRole("textbox", { name: "Message body" })).toHaveText("");

  // A second message with a 20 MB file: a progress bar per file, then the draft + upload session path.
  const subject2 = `Handbook ${uniq()}`;
  await page.getByLabel("To", { exact: true }).fill(`lee.gu@${domain}`);
  await page.getByLabel("Subject").fill(subject2);
  await page.getByRole("textbox", { name: "Message body" }).click();
  await page.keyboard.type("The handbook is attached.");
  await page.locator("#attachments-input").setInputFiles(big.path);
  const bar = page.getByRole("progressbar", { name: "Upload of handbook.bin" });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute("aria-valuenow", "100", { timeout: 30_000 });
  await expect(bar).toHaveAttribute("aria-valuemin", "0");
  await expect(bar).toHaveAttribute("aria-valuemax", "100");
  // A sent draft always lands in Sent Items (/send has no saveToSentItems): the choice is shown as fixed, with why.
  const sentItems = page.getByRole("checkbox", { name: "Save to Sent Items" });
  await expect(sentItems).toBeChecked();
  await expect(sentItems).toBeDisabled();
  await expect(sentItems).toHaveAccessibleDescription(/Cannot be turned off for this message: attachments of 3 MB and more go through a draft and an upload session/);
  await sendButton(page).click();
  await expect(page.getByTestId("send-status")).toHaveText("Accepted by Microsoft", { timeout: 60_000 });
  await expect(page.getByTestId("attempt").filter({ hasText: "createUploadSession" })).toHaveCount(1);
  const [m2] = await delivered(`lee.gu@${domain}`, subject2);
  expect(m2?.attachments).toEqual([expect.objectContaining({ name: "handbook.bin", size: 20 * 1024 * 1024, sha256: big.sha256 })]);
});

test("bad input gets per-field messages and nothing typed is lost", async ({ page }) => {
  await signInLocal(page);
  await openCompose(page);
  await moreOptions(page);
  await page.getByLabel("Cc", { exact: true }).fill("not-an-address");
  await page.getByLabel("Cc", { exact: true }).press("Enter");
  await expect(page.getByText('"not-an-address" is not an email address')).toBeVisible();
  await page.getByLabel("Subject").fill("Quarterly <script>alert(1)</script>");
  await page.getByRole("button", { name: "Add header" }).click();
  await page.getByLabel("Header 1 name").fill("Subject");
  await sendButton(page).click();
  await expect(page.getByText("Add at least one recipient in To, Cc or Bcc")).toBeVisible();
  await expect(page.getByText(/Custom header names must start with x-/)).toBeVisible();
  await expect(page.getByLabel("Subject")).toHaveValue("Quarterly <script>alert(1)</script>");
  await expect(page.getByLabel("Header 1 name")).toHaveValue("Subject");
  await expect(page.getByLabel("Cc", { exact: true })).toHaveValue("not-an-address");
  // A folded field with a value stays open: "More options" does not hide the header about to be sent.
  await page.getByRole("button", { name: "More options" }).click();
  await expect(page.getByRole("button", { name: "More options" })).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByLabel("Header 1 name")).toBeVisible();
});

test("the plain body field works before the rich-text editor has loaded, and the editor takes over what was typed", async ({ page }) => {
  await signInLocal(page);
  await page.goto("/compose");
  await expect(page.getByRole("heading", { name: "Compose" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  // Hold back every script fetched from now on: the editor's code is not in the first load.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route("**/_next/static/chunks/**", async (route) => {
    await held;
    await route.continue();
  });
  const body = page.getByRole("textbox", { name: "Message body" });
  await body.click();
  await page.keyboard.type("Typed at once");
  await expect(body).toHaveValue("Typed at once");
  await expect(body).not.toHaveAttribute("contenteditable");
  release();
  await expect(body).toHaveAttribute("contenteditable", "true");
  await expect(body).toBeFocused();
  await page.keyboard.type(", kept.");
  await expect(body).toHaveText("Typed at once, kept.");
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.frameLocator('iframe[title="Preview of the message body"]').locator("p")).toHaveText("Typed at once, kept.");
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
  await sendButton(page).click();
  await expect(page.getByTestId("send-status")).toHaveText("Failed", { timeout: 30_000 });
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
    await sendButton(page).click();
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
  // A double-click sends once.
  await sendButton(page).dblclick();
  await expect(page.getByTestId("send-status")).toHaveText("Accepted by Microsoft", { timeout: 30_000 });
  const [m] = await delivered(`lee.gu@${sb.tenant.domain}`, subject);
  expect(m?.from.address).toBe(upn);
  expect(await e2eSql(`select id from "Send" where subject = $1`, [subject])).toHaveLength(1);
});

test("a link with ?tenant and ?from opens Compose on that sender; a sender not granted to the person is ignored", async ({ page }) => {
  const sb = await sandbox();
  const [t] = await e2eSql<{ id: string }>(`select id from "Tenant" where name = 'Sandbox (Contoso demo)'`);
  await signInLocal(page);
  await page.goto(`/compose?tenant=${t!.id}&from=${encodeURIComponent(sb.mailboxes.allowed.toUpperCase())}`);
  await expect(page.getByLabel("From")).toHaveValue(sb.mailboxes.allowed);
  // Hostile or unknown values are not offered and break nothing: the page opens on a sender it offers.
  await page.goto(`/compose?tenant=${t!.id}&from=${encodeURIComponent(`ceo@${sb.tenant.domain}"><script>alert(1)</script>`)}`);
  await expect(page.getByRole("heading", { name: "Compose" })).toBeVisible();
  const offered = await page.getByLabel("From").locator("option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(offered).not.toContain(`ceo@${sb.tenant.domain}`);
  expect(offered).toContain(await page.getByLabel("From").inputValue());
  await page.goto(`/compose?tenant=../../etc&from=`);
  await expect(page.getByRole("heading", { name: "Compose" })).toBeVisible();
});
