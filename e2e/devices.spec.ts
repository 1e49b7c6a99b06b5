import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { createLocalUser, e2eSql, grantMailbox, sandbox, signInLocal } from "./support";

// SMTP devices (issue 14), as an admin manages them: add a printer with two granted mailboxes and an
// address range, see its password once, the printable connection card, send a test through the relay,
// rotate, revoke — with bad input named per field and hostile names shown as text. Then what an auditor
// and a sender may see.
const tag = randomBytes(4).toString("hex");
const TENANT = "Sandbox (Contoso demo)";

test("an admin adds a device, sees its password once, prints its card, tests it, rotates and revokes it", async ({ page }) => {
  test.setTimeout(240_000);
  const sb = await sandbox();
  const admin = { email: `devices.admin.${tag}@example.com`, name: `Devices Admin ${tag}`, password: `devices admin password ${tag}`, role: "admin" as const };
  const adminId = await createLocalUser(admin);
  // Makes sure the demo tenant lists both mailboxes (the admin's own grants play no part in the device's).
  await grantMailbox({ userId: adminId }, TENANT, sb.mailboxes.shared);
  await grantMailbox({ userId: adminId }, TENANT, sb.mailboxes.allowed);
  await signInLocal(page, admin);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" }).click();
  await expect(page.getByRole("heading", { name: "Devices", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Add device" }).click();
  await expect(page.getByRole("heading", { name: "Add device" })).toBeVisible();

  // A hostile name: HTML, quotes and an ampersand, which must come back as text everywhere.
  const name = `<img src=x onerror="window.__pwned=1"> Scanner "2nd" floor & 'HR' ${tag}`;
  await page.getByLabel("Device name").fill(name);
  await page.getByLabel("Tenant", { exact: true }).selectOption({ label: TENANT });
  await page.getByLabel(sb.mailboxes.allowed, { exact: true }).check();
  await page.getByLabel("Default mailbox").selectOption({ label: sb.mailboxes.shared });
  await page.getByLabel("Allowed source addresses (optional)").fill("10.20.0.0/33, 192.168.1.20");
  await page.getByLabel("Messages per minute").fill("12");
  await page.getByRole("button", { name: "Add device" }).click();

  // An invalid CIDR range: the field says which entry, and nothing typed is lost.
  const ips = page.getByLabel("Allowed source addresses (optional)");
  await expect(ips).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Not an IP address or CIDR range: 10.20.0.0/33")).toBeVisible();
  await expect(page.getByLabel("Device name")).toHaveValue(name);
  await expect(ips).toHaveValue("10.20.0.0/33, 192.168.1.20");
  await expect(page.getByLabel(sb.mailboxes.allowed, { exact: true })).toBeChecked();
  await expect(page.getByLabel("Messages per minute")).toHaveValue("12");

  // A default mailbox that is not granted: named on its field, the rest kept.
  // 127.0.0.1: the portal's own test send below connects to the relay from loopback.
  await ips.fill("10.20.0.0/24, 127.0.0.1");
  await page.getByRole("button", { name: "Add device" }).click();
  const defaultMailbox = page.getByLabel("Default mailbox");
  await expect(defaultMailbox).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("The default mailbox must be one of the mailboxes granted above")).toBeVisible();
  await expect(ips).toHaveValue("10.20.0.0/24, 127.0.0.1");
  await expect(page.getByLabel("Device name")).toHaveValue(name);

  await page.getByLabel(sb.mailboxes.shared, { exact: true }).check();
  await page.getByRole("button", { name: "Add device" }).click();
  const username = ((await page.getByTestId("device-username").textContent()) ?? "").trim();
  const password = ((await page.getByTestId("device-password").textContent()) ?? "").trim();
  expect(username).toMatch(/^dev-[a-z0-9-]+-[a-z0-9]{6}$/);
  expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
  await expect(page.getByRole("button", { name: `Copy the password of ${name}` })).toBeVisible();
  await expect(page.getByRole("button", { name: `Copy the username of ${name}` })).toBeVisible();
  // Only the hash is stored.
  const [row] = await e2eSql<{ id: string; passwordHash: string; allowedIps: string[]; defaultFrom: string; ratePerMinute: number }>(
    `select id, "passwordHash", "allowedIps", "defaultFrom", "ratePerMinute" from "Device" where username = $1`,
    [username],
  );
  expect(row).toMatchObject({ allowedIps: ["10.20.0.0/24", "127.0.0.1/32"], defaultFrom: sb.mailboxes.shared, ratePerMinute: 12 });
  expect(row!.passwordHash).not.toContain(password);
  const grants = await e2eSql<{ address: string }>(`select m.address from "SenderGrant" g join "SenderMailbox" m on m.id = g."mailboxId" where g."deviceId" = $1 order by 1`, [row!.id]);
  expect(grants.map((g) => g.address)).toEqual([sb.mailboxes.allowed, sb.mailboxes.shared].sort());

  // The device's page: the name as text (no element injected), the printable card.
  await page.getByRole("link", { name: "open the device" }).click();
  await expect(page).toHaveURL(new RegExp(`/devices/${row!.id}$`));
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  expect(await page.locator("img[src=x]").count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // Shown once: after a reload the password is nowhere on the page.
  await page.reload();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByTestId("device-password")).toHaveCount(0);
  expect(await page.content()).not.toContain(password);

  const card = page.getByRole("region", { name: "Connection settings for your printer" });
  await expect(card).toBeVisible();
  await expect(card).toContainText(username);
  await expect(card).toContainText("STARTTLS");
  await expect(card).toContainText("Minimum TLS version");
  await expect(card.getByRole("button", { name: "Print" })).toBeVisible();
  // The print stylesheet prints the card alone.
  await page.emulateMedia({ media: "print" });
  await expect(card).toBeVisible();
  await expect(card).toContainText(username);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expect(page.getByRole("heading", { name: "Recent messages" })).toBeHidden();
  await page.emulateMedia({ media: "screen" });

  // Rotate: a new password, shown once, handed to the test form.
  await page.getByRole("button", { name: "Rotate password" }).click();
  const rotated = page.getByTestId("device-password");
  await expect(rotated).toHaveText(/^[A-Za-z0-9]{24}$/);
  const newPassword = ((await rotated.textContent()) ?? "").trim();
  expect(newPassword).not.toBe(password);
  await expect(page.getByLabel("Device password")).toHaveValue(newPassword);
  const [afterRotate] = await e2eSql<{ passwordHash: string }>(`select "passwordHash" from "Device" where id = $1`, [row!.id]);
  expect(afterRotate!.passwordHash).not.toBe(row!.passwordHash);

  // Send a test: a real SMTP session from the portal to its own relay (STARTTLS, AUTH as the device), the reply as it came.
  await page.getByLabel("Send the test to").fill(sb.mailboxes.allowed);
  await page.getByRole("button", { name: "Send a test" }).click();
  const result = page.getByTestId("test-send-result");
  await expect(result).toBeVisible({ timeout: 60_000 });
  await expect(result).toContainText("Accepted by the relay");
  await expect(result.locator("pre")).toHaveText(/^250 /);
  // The old password is refused by the relay: the reply says so, nothing is queued.
  await page.getByLabel("Device password").fill(password);
  await page.getByRole("button", { name: "Send a test" }).click();
  await expect(result).toContainText("Refused");
  await expect(result.locator("pre")).toHaveText(/^535 /);
  // Neither password is echoed back by the action (the field keeps only the one the page already had).
  expect(await page.content()).not.toContain(password);

  // A device's messages are one click away in History: the test went through the outbox to the sandbox.
  await page.getByRole("link", { name: "All of this device's messages in History" }).click();
  await expect(page).toHaveURL(new RegExp(`/history\\?device=${row!.id}$`));
  await expect(page.getByLabel("SMTP device (name or username)")).toHaveValue(row!.id);
  const subject = `Test from the Graph Mail Portal for device ${name}`;
  await expect(page.getByText(subject)).toHaveCount(1);
  await expect(async () => {
    const [s] = await e2eSql<{ status: string; mode: string }>(`select status::text, mode::text from "Send" where "deviceId" = $1`, [row!.id]);
    expect(s).toEqual({ status: "accepted", mode: "smtp" });
  }).toPass({ timeout: 90_000 });
  await page.goBack();

  // Revoke (confirmed): the device is marked revoked, and nothing can be edited or rotated any more.
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Revoke device" }).click();
  await expect(page.getByText(/^revoked /)).toBeVisible();
  await expect(page.getByRole("button", { name: "Rotate password" })).toHaveCount(0);
  await page.goto("/devices");
  await expect(page.getByTestId(`device-${row!.id}`)).toContainText("revoked");
  await expect(page.getByTestId(`device-${row!.id}`)).toContainText(name);

  const audit = await e2eSql<{ action: string; text: string }>(`select action, coalesce(after::text, '') || coalesce(before::text, '') as text from "AuditEvent" where "actorId" = $1 and action like 'device.%' order by at`, [adminId]);
  expect(audit.map((a) => a.action)).toEqual(["device.created", "device.password-rotated", "device.test-sent", "device.test-sent", "device.revoked"]);
  for (const a of audit) {
    expect(a.text).not.toContain(password);
    expect(a.text).not.toContain(newPassword);
  }
});

test("auditors read devices but change nothing; senders do not see them", async ({ page }) => {
  const sb = await sandbox();
  const auditor = { email: `devices.auditor.${tag}@example.com`, name: `Devices Auditor ${tag}`, password: `devices auditor password ${tag}`, role: "auditor" as const };
  const sender = { email: `devices.sender.${tag}@example.com`, name: `Devices Sender ${tag}`, password: `devices sender password ${tag}`, role: "sender" as const };
  await createLocalUser(auditor);
  const senderId = await createLocalUser(sender);
  await grantMailbox({ userId: senderId }, TENANT, sb.mailboxes.shared);
  const [t] = await e2eSql<{ id: string }>(`select id from "Tenant" where name = $1`, [TENANT]);
  const id = `e2edev${tag}`;
  await e2eSql(
    `insert into "Device"(id, "tenantId", name, username, "allowedIps", "ipOnly", "lastSeenAt", "lastSeenIp", "lastTlsVersion", "lastAuthMethod", "messageCount") values ($1, $2, $3, $4, $5, true, now(), '10.1.2.3', 'TLSv1', 'none (IP)', 7)`,
    [id, t!.id, `Old UPS ${tag}`, `dev-old-ups-${tag}`, ["10.1.2.0/24"]],
  );

  await signInLocal(page, auditor);
  await page.goto("/devices");
  const row = page.getByTestId(`device-${id}`);
  await expect(row).toContainText(`Old UPS ${tag}`);
  await expect(row).toContainText("10.1.2.3");
  // Weak connections are flagged.
  await expect(row).toContainText("weak: TLS older than 1.2");
  await expect(row).toContainText("weak: IP-only (no password)");
  await expect(page.getByRole("link", { name: "Add device" })).toHaveCount(0);
  await row.getByRole("link", { name: `Old UPS ${tag}` }).click();
  await expect(page.getByRole("region", { name: "Connection settings for your printer" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Revoke device" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Send a test" })).toHaveCount(0);
  await page.goto("/devices/new");
  await expect(page).toHaveURL(/\/\?denied=1$/);

  await page.context().clearCookies();
  await signInLocal(page, sender);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" })).toHaveCount(0);
  for (const path of ["/devices", "/devices/new", `/devices/${id}`]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/\?denied=1$/);
  }
  const ca = await page.request.get("/api/devices/ca");
  expect(ca.status()).toBe(403);
});
