import { expect, test } from "@playwright/test";
import { ADMIN, grantMailbox, sandbox, sandboxControl, signInLocal } from "./support";

// A bulk welcome to the sandbox's newly created users, as an HR person does it: recipients from the
// directory, a message with placeholders (an unknown one refused first), a per-recipient preview, Start,
// Pause — nothing more is queued — Resume, and every recipient sent exactly once.

interface Delivered {
  subject: string;
  to: { address: string }[];
  cc: { address: string }[];
  body: { content: string };
}

const DAY = 86_400_000;

test.beforeAll(async () => {
  const sb = await sandbox();
  await grantMailbox({ email: ADMIN.email }, "Sandbox (Contoso demo)", sb.mailboxes.shared);
});

test.afterAll(async () => {
  const sb = await sandbox();
  await sandboxControl("/faults", { rate: 0, latencyMs: 0, mailbox: sb.mailboxes.shared });
});

test("welcomes the seeded new users: preview, start, pause, resume, each sent once", async ({ page }) => {
  test.setTimeout(120_000);
  const sb = await sandbox();
  const domain = sb.tenant.domain;
  const tag = Math.random().toString(36).slice(2, 8);
  // The seed's newcomers joined 1–6 days (and an hour) before the sandbox started: since midnight UTC five
  // days ago that is the five most recent (four in the first hour of a UTC day) — plus anyone other specs
  // seeded into the tenant earlier in this run (created "now"). The directory is asked before and after
  // the page lists the recipients; the page's count must lie between the two.
  const since = new Date(Date.now() - 5 * DAY).toISOString().slice(0, 10);
  const newcomers = [1, 2, 3, 4, 5].filter((d) => Date.now() - d * DAY - 3_600_000 >= Date.parse(`${since}T00:00:00Z`)).length;
  const createdSince = async () => {
    const st = await sandboxControl<{ users: { tenantId: string; createdDateTime: string }[] }>("/state");
    return st.users.filter((u) => u.tenantId === sb.tenant.id && u.createdDateTime >= `${since}T00:00:00Z`).length;
  };

  await signInLocal(page);
  await page.getByRole("link", { name: "Bulk", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Bulk runs" })).toBeVisible();
  await page.getByRole("link", { name: "New run" }).click();

  await page.getByLabel("From", { exact: true }).selectOption({ label: `${sb.mailboxes.shared} (Sandbox (Contoso demo))` });
  await page.getByLabel("Name of the run (optional)", { exact: true }).fill(`Welcome ${tag}`);
  await page.getByRole("radio", { name: /^Users created since a date/ }).check();
  await page.getByLabel("Created on or after", { exact: true }).fill(since);
  const before = await createdSince();
  expect(before).toBeGreaterThanOrEqual(newcomers);
  await page.getByRole("button", { name: "Continue" }).click();

  await expect(page.getByRole("heading", { name: "The message" })).toBeVisible();
  const listed = page.getByText(new RegExp(`(\\d+) recipients, from ${sb.mailboxes.shared.replace(/[.]/g, "\\.")}`));
  await expect(listed).toBeVisible();
  const expected = Number(/(\d+) recipients/.exec((await listed.textContent()) ?? "")?.[1]);
  expect(expected).toBeGreaterThanOrEqual(before);
  expect(expected).toBeLessThanOrEqual(await createdSince());
  // An unknown placeholder is named before anything can be queued.
  await page.getByLabel("Subject", { exact: true }).fill(`Welcome to Contoso, {{firstName}} ${tag}`);
  await page.getByLabel("Message (HTML)", { exact: true }).fill("<p>Hello {{displayName}}, your mailbox is {{mail}}.</p>");
  await page.getByLabel("Cc (optional)", { exact: true }).fill(`lee.gu@${domain}`);
  await page.getByRole("button", { name: "Save and preview" }).click();
  await expect(page.getByLabel("Subject", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Unknown placeholder {{firstName}}", { exact: false }).first()).toBeVisible();
  await page.getByLabel("Subject", { exact: true }).fill(`Welcome to Contoso, {{givenName}} ${tag}`);
  await page.getByRole("button", { name: "Save and preview" }).click();

  // Review: the preview for the first recipient, then for another one picked from the list.
  await expect(page.getByRole("heading", { name: `Welcome ${tag}` })).toBeVisible();
  await expect(page.getByTestId("preview-subject")).toHaveText(new RegExp(`^Welcome to Contoso, \\w+ ${tag}$`));
  await page.getByLabel("Preview for", { exact: true }).selectOption({ label: `Isaiah Langer <isaiah.langer@${domain}>` });
  await page.getByRole("button", { name: "Show preview" }).click();
  await expect(page.getByTestId("preview-subject")).toHaveText(`Welcome to Contoso, Isaiah ${tag}`);
  await expect(page.frameLocator('iframe[title^="Message body"]').locator("p")).toHaveText(`Hello Isaiah Langer, your mailbox is isaiah.langer@${domain}.`);

  // Slow the HR mailbox down so the pause lands while recipients are still waiting.
  await sandboxControl("/faults", { rate: 0, latencyMs: 2_500, mailbox: sb.mailboxes.shared });
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByTestId("run-status")).toHaveText("Running");
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByTestId("run-status")).toHaveText("Paused");
  const progressbar = page.getByRole("progressbar", { name: "Messages handled" });
  await expect(progressbar).toHaveAttribute("aria-valuemax", String(expected));
  // Paused: what was in the outbox finishes, the rest waits.
  await expect(page.getByTestId("count-queued")).toHaveText("0", { timeout: 30_000 });
  const waiting = Number(await page.getByTestId("count-pending").textContent());
  expect(waiting).toBeGreaterThan(0);
  await page.waitForTimeout(3_000);
  await page.reload();
  await expect(page.getByTestId("count-pending")).toHaveText(String(waiting));

  await sandboxControl("/faults", { rate: 0, latencyMs: 0, mailbox: sb.mailboxes.shared });
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByTestId("run-status")).toHaveText("Done", { timeout: 60_000 });
  await expect(page.getByTestId("count-sent")).toHaveText(String(expected));
  await expect(progressbar).toHaveAttribute("aria-valuenow", String(expected));
  await expect(page.getByTestId("recipient-row")).toHaveCount(expected);
  await expect(page.getByRole("link", { name: "Open in History" })).toHaveCount(expected);

  // Each newcomer got exactly one welcome, with the HR manager on Cc; the preview matched.
  const got = await sandboxControl<Delivered[]>(`/messages?to=${encodeURIComponent(`isaiah.langer@${domain}`)}&subject=${encodeURIComponent(`Welcome to Contoso, Isaiah ${tag}`)}`);
  expect(got.filter((m) => m.subject === `Welcome to Contoso, Isaiah ${tag}`)).toHaveLength(1);
  expect(got[0]?.cc.map((c) => c.address)).toEqual([`lee.gu@${domain}`]);
  // The HR manager is copied on every message: one copy per newcomer, none twice.
  const copies = (await sandboxControl<Delivered[]>(`/messages?to=${encodeURIComponent(`lee.gu@${domain}`)}&subject=${encodeURIComponent(tag)}`)).filter((m) => m.subject.endsWith(` ${tag}`));
  expect(copies).toHaveLength(expected);
  // One copy per newcomer: each copy's To is a different person (people other specs seeded have no
  // givenName, so their subjects can coincide).
  expect(new Set(copies.map((m) => m.to.map((a) => a.address.toLowerCase()).join(","))).size).toBe(expected);

  // The link leads to the send in History.
  await page.getByRole("link", { name: "Open in History" }).first().click();
  await expect(page).toHaveURL(/\/history\/\w+/);
});
