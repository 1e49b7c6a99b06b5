import { expect, test, type Page } from "@playwright/test";
import { createLocalUser, e2eSql, grantMailbox, sandbox, sandboxControl, signInLocal } from "./support";

// Who may send as what, as people meet it: sender grants in compose and the API, a Microsoft identity
// that is never matched by email, and linking a Microsoft account explicitly.
const uniq = () => Math.random().toString(36).slice(2, 8);
const TENANT = "Sandbox (Contoso demo)";

async function microsoftSignIn(page: Page, upn: string, password: string) {
  await page.getByRole("radio", { name: new RegExp(upn.replace(/\./g, "\\.")) }).check();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function seedDirectoryUser(upn: string, password: string) {
  await sandboxControl("/seed", { users: [{ userPrincipalName: upn, displayName: `Person ${upn.split("@")[0]}`, password, mailbox: "user" }] });
}

test("a second sender can neither see nor use a mailbox granted only to the first: compose page and /api/sends", async ({ browser }) => {
  const sb = await sandbox();
  const tag = uniq();
  const first = { email: `first.${tag}@example.com`, name: `First ${tag}`, password: "first password 123", role: "sender" as const };
  const second = { email: `second.${tag}@example.com`, name: `Second ${tag}`, password: "second password 123", role: "sender" as const };
  await createLocalUser(first);
  await createLocalUser(second);
  await grantMailbox({ email: first.email }, TENANT, sb.mailboxes.shared);

  const a = await (await browser.newContext()).newPage();
  await signInLocal(a, first);
  await a.getByRole("link", { name: "Compose" }).click();
  await expect(a.getByLabel("From").locator("option")).toHaveText([sb.mailboxes.shared]);

  const b = await (await browser.newContext()).newPage();
  await signInLocal(b, second);
  await b.getByRole("link", { name: "Compose" }).click();
  await expect(b.getByRole("note")).toContainText("You have no mailbox to send from yet");
  await expect(b.getByLabel("From")).toHaveCount(0);
  const [tenant] = await e2eSql<{ id: string }>(`select id from "Tenant" where name = $1`, [TENANT]);
  const res = await b.request.post("/api/sends", {
    data: { tenantId: tenant!.id, mode: "app", from: sb.mailboxes.shared, to: [sb.mailboxes.allowed], subject: `Not mine ${tag}`, body: "x" },
    headers: { origin: new URL(b.url()).origin },
  });
  expect(res.status()).toBe(422);
  expect(JSON.stringify(await res.json())).toContain(`You may not send as ${sb.mailboxes.shared}`);
});

test("a Microsoft sign-in whose email equals a local admin's address does not become that admin", async ({ page }) => {
  const sb = await sandbox();
  const upn = `boss.${uniq()}@${sb.tenant.domain}`;
  const password = "Sandbox-Boss-1!";
  await seedDirectoryUser(upn, password);
  // The exact situation: a local admin account with the very address the directory user has.
  await createLocalUser({ email: upn, name: "Local Boss", password: "local boss password 1", role: "admin" });

  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with Microsoft (Sandbox (Contoso demo))" }).click();
  await microsoftSignIn(page, upn, password);
  // Approval is the default admission: a request, not the admin's account.
  await expect(page).toHaveURL(/\/sign-in\/waiting/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole("heading", { name: "Sign in to Graph Mail Portal" })).toBeVisible();
});

test("a local account links a Microsoft account explicitly, then signs in with Microsoft as itself", async ({ page }) => {
  const sb = await sandbox();
  const tag = uniq();
  const upn = `linker.${tag}@${sb.tenant.domain}`;
  const password = "Sandbox-Linker-1!";
  await seedDirectoryUser(upn, password);
  const local = { email: `linker.${tag}@example.com`, name: `Linker ${tag}`, password: "linker password 123", role: "sender" as const };
  await createLocalUser(local);

  await signInLocal(page, local);
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByTestId("sign-in-methods")).toHaveText("a local password");
  await page.getByLabel("Tenant of the Microsoft account").selectOption({ label: TENANT });
  await page.getByRole("button", { name: "Link Microsoft account" }).click();
  await microsoftSignIn(page, upn, password);
  await expect(page.getByRole("status").filter({ hasText: "Your Microsoft account is linked" })).toBeVisible();
  await expect(page.getByTestId("sign-in-methods")).toHaveText(`a local password and Microsoft (${TENANT})`);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByRole("button", { name: "Sign in with Microsoft (Sandbox (Contoso demo))" }).click();
  await microsoftSignIn(page, upn, password);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("user-name")).toHaveText(local.name);
});
