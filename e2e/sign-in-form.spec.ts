import { expect, test } from "@playwright/test";
import { createLocalUser } from "./support";

// Forms never lose input: a wrong password keeps the email (React used to reset the form after its action).
test("a wrong password on sign-in keeps the email, says so once, and the right one then signs in", async ({ page }) => {
  const tag = `f${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const who = { email: `${tag}@example.com`, name: `Fay ${tag}`, password: "the right password 123", role: "sender" as const };
  await createLocalUser(who);

  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();

  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
  await expect(page.getByText("Email or password is incorrect.")).toHaveCount(1);
  await expect(page.getByLabel("Email")).toHaveValue(who.email);
  // The password is selected, so typing replaces it.
  await expect(page.getByLabel("Password")).toBeFocused();
  await page.keyboard.type(who.password);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
});
