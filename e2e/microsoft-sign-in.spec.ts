import { expect, test } from "@playwright/test";
import { inviteMicrosoftUser, sandbox, signInLocal } from "./support";

test("an invited person signs in with Microsoft through the sandbox tenant, gets the invited sender role; an admin makes them an auditor, which ends their session", async ({ page, browser }) => {
  const sb = await sandbox();
  const person = sb.users.find((u) => u.upn.startsWith("adele."))!;
  // A first Microsoft sign-in grants no role by itself: an admin invited this address (admission.spec.ts
  // covers the approval and invitation flows through the pages).
  await inviteMicrosoftUser(person.upn, "sender");

  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with Microsoft (Sandbox (Contoso demo))" }).click();

  // The sandbox's Entra ID sign-in page (a different origin, over HTTPS).
  await expect(page).toHaveURL(new RegExp(`^${sb.loginUrl}/`));
  await page.getByRole("radio", { name: new RegExp(person.upn) }).check();
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText(/password/i);
  await page.getByRole("radio", { name: new RegExp(person.upn) }).check();
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("user-name")).toHaveText(person.displayName!);
  await expect(page.getByText("(sender)")).toBeVisible();
  await expect(page.getByRole("link", { name: "Setup" })).toHaveCount(0);

  // An admin, in another browser, changes the role on the Users page.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInLocal(admin);
  await admin.getByRole("link", { name: "Settings" }).click();
  await admin.getByRole("link", { name: "Manage users" }).click();
  const row = admin.getByRole("row").filter({ hasText: person.upn });
  await expect(row).toContainText("Microsoft (Sandbox (Contoso demo))");
  await row.getByLabel(`Role of ${person.upn}`).selectOption("auditor");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(admin.getByText("User updated.").first()).toBeVisible();
  await expect(row.getByLabel(`Role of ${person.upn}`)).toHaveValue("auditor");
  await adminContext.close();

  // A role change ends the person's sessions at once (session versions): their next request asks them to
  // sign in again, and the new session carries the new role.
  await page.reload();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByRole("button", { name: "Sign in with Microsoft (Sandbox (Contoso demo))" }).click();
  await expect(page).toHaveURL(new RegExp(`^${sb.loginUrl}/`));
  await page.getByRole("radio", { name: new RegExp(person.upn) }).check();
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByText("(auditor)")).toBeVisible();
  await expect(page.getByRole("link", { name: "Compose" })).toHaveCount(0);
});
