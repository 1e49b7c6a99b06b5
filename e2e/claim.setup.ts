import { expect, test } from "@playwright/test";
import { ADMIN, readSetupCode, signInLocal } from "./support";

// These two run in order, once, before every other test: the portal starts unclaimed.
test.describe.configure({ mode: "serial" });

test("a wrong setup code is refused with a clear message, and nothing typed is lost", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Claim this portal" })).toBeVisible();

  await page.getByLabel("Setup code").fill("WRNG-CODE-XXXX-YYYY");
  await page.getByLabel("Your name").fill(ADMIN.name);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Become the first admin" }).click();

  await expect(page.getByText("That setup code is not valid", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Setup code")).toHaveAttribute("aria-invalid", "true");
  // Said once, under the field it names: no banner repeating it, no toast.
  await expect(page.getByText(/setup code is not valid/)).toHaveCount(1);
  await expect(page.getByLabel("Setup code")).toHaveAccessibleDescription(/That setup code is not valid/);
  // Nothing typed is lost, the secrets included (the server never echoes them; the form keeps them).
  await expect(page.getByLabel("Setup code")).toHaveValue("WRNG-CODE-XXXX-YYYY");
  await expect(page.getByLabel("Your name")).toHaveValue(ADMIN.name);
  await expect(page.getByLabel("Email")).toHaveValue(ADMIN.email);
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue(ADMIN.password);
  await expect(page.getByLabel("Confirm password")).toHaveValue(ADMIN.password);
  // Still unclaimed: the sign-in page sends people back to /setup.
  await page.goto("/sign-in");
  await expect(page).toHaveURL(/\/setup$/);
});

test("the first admin claims the portal with the setup code, signs out, signs in again and sees the dashboard", async ({ page }) => {
  const code = await readSetupCode();
  await page.goto("/setup");
  // Keyboard only: a person can fill and submit the form without a mouse.
  await page.getByLabel("Setup code").focus();
  await page.keyboard.type(code.toLowerCase());
  await page.keyboard.press("Tab");
  await page.keyboard.type(ADMIN.name);
  await page.keyboard.press("Tab");
  await page.keyboard.type(ADMIN.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press("Tab");
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press("Enter");

  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("user-name")).toHaveText(ADMIN.name);

  // The code is single-use: /setup now shows the tenants page, not the claim form.
  await page.goto("/setup");
  await expect(page.getByRole("heading", { name: "Tenants" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);

  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();

  await signInLocal(page);
  await expect(page.getByTestId("user-name")).toHaveText(ADMIN.name);
});
