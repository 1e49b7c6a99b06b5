import { expect, test } from "@playwright/test";
import { e2eSql, sandbox, sandboxControl, signInLocal } from "./support";

// The credential lifecycle as an admin walks it on the sandbox: a tenant of its own (a sandbox directory
// and app seeded for this file, connected through the wizard's credential step), the expiry warning on the
// dashboard once the sandbox clock — which the demo portal's clock follows (PORTAL_CLOCK_URL) — is moved,
// then the guided rotation: a new certificate, added next to the secret by "Run in the sandbox", verified
// with a real token, switched to, the old secret removed, and Entra ID's refusal of it shown.
test.describe.configure({ mode: "serial" });

const tag = Math.random().toString(36).slice(2, 8);
const domain = `rotation-${tag}.sandbox`;
const tenantName = `Rotation ${tag}`;
const DAY = 86_400_000;
let tenantRowId = "";
let secret = "";
const expires = new Date(Date.now() + 45 * DAY).toISOString().slice(0, 10);

test.beforeAll(async () => {
  const sb = await sandbox();
  const seeded = await sandboxControl<{ tenants: { id: string }[]; apps: { appId: string; secrets: { secretText: string }[] }[] }>("/seed", {
    tenants: [{ domain, displayName: tenantName }],
    users: [{ tenant: domain, userPrincipalName: `alerts@${domain}`, displayName: "Alerts", mailbox: "shared" }, { tenant: domain, userPrincipalName: `it@${domain}`, displayName: "IT" }],
    apps: [{ tenant: domain, displayName: "Graph Mail Portal", applicationPermissions: ["Mail.Send"], servicePrincipal: true, adminConsent: true, secrets: [{ displayName: "first", endDateTime: `${expires}T12:00:00Z` }] }],
  });
  secret = seeded.apps[0]!.secrets[0]!.secretText;
  tenantRowId = `rot${tag}`;
  await e2eSql(
    `insert into "Tenant"(id, name, cloud, "directoryId", "loginUrl", "graphUrl", "clientId", "wizardStep", "updatedAt") values ($1, $2, 'sandbox', $3, $4, $5, $6, 'credential', now())`,
    [tenantRowId, tenantName, seeded.tenants[0]!.id, sb.loginUrl, (sb as unknown as { graphUrl: string }).graphUrl, seeded.apps[0]!.appId],
  );
});

test.afterAll(async () => {
  await sandboxControl("/clock", { reset: true });
});

test("the expiry shows on the dashboard once the clock moves, and the rotation is walked without a gap", async ({ page }) => {
  test.setTimeout(180_000);
  await signInLocal(page);

  // The credential step of the wizard, as a person connects a secret.
  await page.goto(`/setup/${tenantRowId}/credential`);
  await page.getByLabel("Client secret value").fill(secret);
  await page.getByLabel("Expires").fill(expires);
  await page.getByRole("button", { name: "Save the secret" }).click();
  await expect(page.getByText(/Current credential:/)).toContainText("secret");

  // 45 days left: listed, not warned about.
  await page.goto("/settings/credentials");
  const row = page.getByTestId(`credential-tenant-${tenantRowId}`);
  await expect(row).toContainText(/4[45] days left/);
  await expect(row).toContainText("ok");
  await page.goto("/");
  await expect(page.getByTestId("credential-expiry-card").filter({ hasText: tenantName })).toHaveCount(0);

  // Twenty days later on the sandbox clock: the 30-day warning on the dashboard, linking to the rotation.
  await sandboxControl("/clock", { advanceSeconds: 20 * 86_400 });
  await expect(async () => {
    await page.goto("/");
    await expect(page.getByTestId("credential-expiry-card")).toContainText(new RegExp(`2[45] days left App secret of ${tenantName}`), { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await page.getByRole("link", { name: `Rotate it (${tenantName})` }).click();
  await expect(page.getByRole("heading", { name: `Rotate the credential of ${tenantName}` })).toBeVisible();
  // Back to today. The portal reads the clock's offset at most every 2 s (lib/credentials/clock.ts): wait
  // until it follows, so the new certificate is made on the sandbox's timeline, not 20 days ahead of it.
  await sandboxControl("/clock", { reset: true });
  await expect(async () => {
    await page.goto("/settings/credentials");
    await expect(row).toContainText(/4[45] days left/, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await page.goto(`/settings/credentials/${tenantRowId}`);
  await expect(page.getByRole("heading", { name: `Rotate the credential of ${tenantName}` })).toBeVisible();

  // 1. A new certificate, next to the secret.
  await page.getByRole("button", { name: "Make a new certificate" }).click();
  await expect(page.getByText("New (not used yet)")).toBeVisible();
  await expect(page.locator("pre[aria-label='Microsoft Graph PowerShell']")).toContainText("Update-MgApplication");
  await page.getByRole("button", { name: "Run in the sandbox" }).click();
  await expect(page.getByText("The script ran without errors.")).toBeVisible();

  // 2. Verified with a real token.
  await page.getByRole("button", { name: "Verify with a real token" }).click();
  // The page moves on to the next step once the token came (the step list marks it done).
  await expect(page.getByRole("heading", { name: "Step 3: Switch the portal to it" })).toBeVisible();

  // 3. Switched.
  await page.goto(`/settings/credentials/${tenantRowId}`);
  await page.getByRole("button", { name: "Switch to the new credential" }).click();
  await expect(page.getByRole("heading", { name: "Step 4: Remove the old one" })).toBeVisible();
  await expect(page.getByText("Old (switched away from, still valid in Entra ID)")).toBeVisible();

  // 4. The old secret: still accepted until removed — the check says so — then removed and refused.
  await page.goto(`/settings/credentials/${tenantRowId}`);
  await expect(page.locator("pre[aria-label='Microsoft Graph PowerShell']")).toContainText("Remove-MgApplicationPassword");
  await page.getByRole("button", { name: "Check the old one is gone" }).click();
  await expect(page.locator("#main").getByRole("alert").filter({ hasText: /Entra ID still issues tokens with the old secret/ })).toBeVisible();
  await page.getByRole("button", { name: "Run in the sandbox" }).click();
  await expect(page.getByText("The script ran without errors.")).toBeVisible();
  await page.getByRole("button", { name: "Check the old one is gone" }).click();
  // Refused, so forgotten: the rotation is back at its first step, with no old credential left.
  await expect(page.getByRole("heading", { name: "Step 1: Add a new certificate or secret next to the current one" })).toBeVisible();
  await expect(page.getByText("Old (switched away from, still valid in Entra ID)")).toHaveCount(0);
  const [removed] = await e2eSql<{ after: { refusedWith: string } }>(`select after from "AuditEvent" where "tenantId" = $1 and action = 'credential.rotation-removed'`, [tenantRowId]);
  expect(removed?.after.refusedWith).toBe("AADSTS7000215");

  await page.goto("/settings/credentials");
  await expect(page.getByTestId(`credential-tenant-${tenantRowId}`)).toContainText("App certificate");
  const audit = await e2eSql<{ action: string }>(`select action from "AuditEvent" where "tenantId" = $1 and action like 'credential.%' order by at`, [tenantRowId]);
  expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["credential.rotation-added", "credential.rotation-verified", "credential.rotation-switched", "credential.rotation-remove-pending", "credential.rotation-removed"]));
});
