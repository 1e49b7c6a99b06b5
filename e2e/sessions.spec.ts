import { expect, test, type Browser, type BrowserContext, type Cookie } from "@playwright/test";
import { createLocalUser, signInLocal } from "./support";

// Sessions end when they should (issue 10): a session cookie is a signed JWT that cannot be revoked, so
// sign-out, a role change and disabling bump the person's session version and every older cookie stops
// counting at its next request — also a copy of it somewhere else.
const uniq = () => Math.random().toString(36).slice(2, 8);

function localPerson(label: string) {
  const tag = uniq();
  return { email: `${label}.${tag}@example.com`, name: `${label} ${tag}`, password: `${label} password ${tag}`, role: "sender" as const };
}

async function sessionCookie(context: BrowserContext): Promise<Cookie> {
  const cookie = (await context.cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
  expect(cookie, "a session cookie after sign-in").toBeDefined();
  return cookie!;
}

/** Opens the portal in a fresh browser that holds nothing but the given cookie. */
async function withCookie(browser: Browser, cookie: Cookie) {
  const context = await browser.newContext();
  await context.addCookies([cookie]);
  return { context, page: await context.newPage() };
}

test("after sign-out, a copy of the old session cookie opens nothing", async ({ page, browser }) => {
  const person = localPerson("signout");
  await createLocalUser(person);
  await signInLocal(page, person);
  const cookie = await sessionCookie(page.context());

  // The copy works while the session lives, so what follows is the sign-out's doing.
  const live = await withCookie(browser, cookie);
  await live.page.goto("/");
  await expect(live.page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  expect((await live.context.request.get("/api/history/export?format=json")).status()).toBe(200);
  await live.context.close();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  const stale = await withCookie(browser, cookie);
  await stale.page.goto("/");
  await expect(stale.page).toHaveURL(/\/sign-in/);
  await expect(stale.page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
  const api = await stale.context.request.get("/api/history/export?format=json");
  expect(api.status()).toBe(401);
  await stale.context.close();
});

test("an admin disabling a person ends their open session at its next request, and enabling them does not revive it", async ({ page, browser }) => {
  const person = localPerson("disabled");
  await createLocalUser(person);
  const theirs = await browser.newContext();
  const them = await theirs.newPage();
  await signInLocal(them, person);

  await signInLocal(page); // the first admin
  await page.goto("/settings/users");
  await page.getByRole("button", { name: `Disable ${person.email}` }).click();
  await expect(page.getByRole("button", { name: `Enable ${person.email}` })).toBeVisible();

  await them.goto("/");
  await expect(them).toHaveURL(/\/sign-in/);

  await page.getByRole("button", { name: `Enable ${person.email}` }).click();
  await expect(page.getByRole("button", { name: `Disable ${person.email}` })).toBeVisible();
  // Their browser still holds the old cookie; enabled again, it still counts for nothing …
  expect((await theirs.cookies()).some((c) => c.name.endsWith("next-auth.session-token"))).toBe(true);
  await them.goto("/");
  await expect(them).toHaveURL(/\/sign-in/);
  // … and a new sign-in works.
  await signInLocal(them, person);
  await theirs.close();
});
