import { expect, test, type Locator, type Page } from "@playwright/test";
import { createLocalUser, e2eSql, signInLocal } from "./support";

/**
 * History's pager, clicked in the browser. History pages hold 50 sends (lib/history/find-sends.ts); this
 * file seeds exactly 150 sends (3 full pages, the last one exactly full) for a sender of its own, so no
 * other spec's sends are in the view. Every third send shares its createdAt with two others, so the
 * keyset's tie-break on id is crossed at page boundaries too.
 */
const PAGE = 50;

async function seed() {
  const tag = `p${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const sender = { email: `${tag}.pager@example.com`, name: `Pat ${tag}`, password: "pager password 123", role: "sender" as const };
  const senderId = await createLocalUser(sender);
  const tenantId = `t${tag}`;
  await e2eSql(`insert into "Tenant"(id, name, "directoryId", "clientId", "updatedAt") values ($1, $2, $3, $4, now())`, [tenantId, `Pager ${tag}`, `${tag}.example.com`, "00000000-0000-0000-0000-000000000001"]);
  // 150 sends: #000 is the newest. Every third one (#0, #3, …) is failed: 50 failed, 100 accepted.
  await e2eSql(
    `insert into "Send"(id, "tenantId", mode, status, "actorUserId", "fromAddress", "toAddresses", "ccAddresses", "bccAddresses", "recipientCount", subject, "sizeBytes", "createdAt", "updatedAt", "completedAt")
     select $1 || lpad(i::text, 3, '0'), $2, 'app', (case when i % 3 = 0 then 'failed' else 'accepted' end)::"SendStatus", $3,
            $4, array[$5], '{}', '{}', 1, 'Pager ' || $1 || ' #' || lpad(i::text, 3, '0'), 100,
            date_trunc('second', now()) - ((i / 3) || ' seconds')::interval, now(), now()
     from generate_series(0, 149) as i`,
    [tag, tenantId, senderId, `ops-${tag}@contoso.com`, `someone.${tag}@fabrikam.com`],
  );
  return { tag, sender };
}

/** The send numbers shown on the current page, in order. */
async function shown(page: Page, tag: string): Promise<number[]> {
  await expect(page.getByTestId("send-row").first()).toBeVisible();
  const texts = await page.getByTestId("send-row").allInnerTexts();
  return texts.map((t) => {
    const m = new RegExp(`Pager ${tag} #(\\d{3})`).exec(t);
    if (!m) throw new Error(`a row without a pager subject: ${t}`);
    return Number(m[1]);
  });
}

const range = (from: number, to: number, step = 1) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, k) => from + k * step);
/** History's order: newest first, then id descending within one createdAt (#002, #001, #000, #005, …). */
const historyOrder = (xs: number[]) => [...xs].sort((a, b) => Math.floor(a / 3) - Math.floor(b / 3) || b - a);

/**
 * Clicks a pager link and waits for its URL. The click skips Playwright's "stable" wait: right after a
 * client-side navigation the page is still scrolling back to the top, and a retried click could land on
 * the next page's layout instead.
 */
async function follow(page: Page, link: Locator) {
  const href = await link.getAttribute("href");
  expect(href).toMatch(/^\/history\?/);
  await Promise.all([page.waitForURL((u) => `${u.pathname}${u.search}` === href), link.click({ force: true })]);
}

/** Clicks "Older →" until it is gone, then "← Newer" until it is gone; returns the pages seen each way. */
async function walk(page: Page, tag: string, urlMustMatch: RegExp | null) {
  const older = page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Older →" });
  const newer = page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "← Newer" });
  const forward = [await shown(page, tag)];
  await expect(newer).toHaveCount(0);
  while ((await older.count()) > 0) {
    const before = forward[forward.length - 1]!;
    await follow(page, older);
    await expect(page.getByTestId("send-row").first()).not.toHaveText(new RegExp(`#${String(before[0]).padStart(3, "0")}\\b`));
    if (urlMustMatch) await expect(page).toHaveURL(urlMustMatch);
    forward.push(await shown(page, tag));
  }
  const backward = [forward[forward.length - 1]!];
  while ((await newer.count()) > 0) {
    const before = backward[backward.length - 1]!;
    await follow(page, newer);
    await expect(page.getByTestId("send-row").first()).not.toHaveText(new RegExp(`#${String(before[0]).padStart(3, "0")}\\b`));
    if (urlMustMatch) await expect(page).toHaveURL(urlMustMatch);
    backward.push(await shown(page, tag));
  }
  return { forward, backward };
}

test("the pager walks every page of an exact multiple of the page size, both ways, and keeps the filter", async ({ page }) => {
  test.setTimeout(120_000);
  const { tag, sender } = await seed();
  await signInLocal(page, sender);
  await page.goto("/history");

  // Unfiltered: 150 sends → exactly 3 full pages, no empty 4th page, no duplicates, newest first.
  const all = await walk(page, tag, null);
  expect(all.forward.map((p) => p.length)).toEqual([PAGE, PAGE, PAGE]);
  expect(all.forward.flat()).toEqual(historyOrder(range(0, 149)));
  expect(all.backward).toEqual([...all.forward].reverse());
  await expect(page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Older →" })).toBeVisible();

  // Filtered through the form (status failed: 50 sends → exactly 1 full page, no "Older →").
  await page.getByLabel("Status", { exact: true }).selectOption("failed");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/status=failed/);
  const failed = await walk(page, tag, /status=failed/);
  expect(failed.forward).toEqual([historyOrder(range(0, 147, 3))]);

  // Status accepted: 100 sends → exactly 2 full pages; every page link keeps the filter.
  await page.getByLabel("Status", { exact: true }).selectOption("accepted");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/status=accepted/);
  const accepted = await walk(page, tag, /status=accepted/);
  const expected = historyOrder(range(0, 149).filter((i) => i % 3 !== 0));
  expect(accepted.forward.map((p) => p.length)).toEqual([PAGE, PAGE]);
  expect(accepted.forward.flat()).toEqual(expected);
  expect(accepted.backward).toEqual([...accepted.forward].reverse());
  await expect(page.getByLabel("Status", { exact: true })).toHaveValue("accepted");
});
