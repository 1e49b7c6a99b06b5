import AxeBuilder from "@axe-core/playwright";
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { ADMIN, e2eSql, signInLocal } from "./support";

/**
 * Accessibility checked by a tool, not by eye: axe-core (https://github.com/dequelabs/axe-core) runs the
 * WCAG 2.1 A and AA rules on every page of the portal and every step of the setup wizard, in the light and
 * the dark colour scheme (prefers-color-scheme, which the tokens in app/globals.css follow): one test per
 * page and scheme, failing on any violation with the rule, the elements at fault and how to fix them, on a
 * browser console error (a missing icon, a CSP refusal) or on a page that does not answer 200.
 * At 390 px (a phone), the shell's navigation folds into a labelled dialog and no page runs off the screen.
 *
 * The rows the pages need (a tenant whose setup is done, a send with an attempt, a bulk run, a script, a
 * device) are this file's own, seeded straight into the database with a unique tag.
 */

const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const SCHEMES = ["light", "dark"] as const;
const WIZARD_STEPS = ["tenant", "register", "credential", "consent", "verify", "restrict", "prove", "done"];

interface Seeded {
  tenantId: string;
  sendId: string;
  runId: string;
  scriptId: string;
  deviceId: string;
}

async function seed(): Promise<Seeded> {
  const tag = `a11y${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const [admin] = await e2eSql<{ id: string }>(`select id from "User" where email = $1`, [ADMIN.email]);
  const tenantId = `t${tag}`;
  await e2eSql(
    `insert into "Tenant"(id, name, "directoryId", "clientId", "credentialKind", "consentState", "consentAt", "lastVerifiedAt", "wizardStep", "updatedAt")
     values ($1, $2, $3, $4, 'secret', 'granted', now(), now(), 'done', now())`,
    [tenantId, `Accessible ${tag}`, `${tag}.example.com`, "00000000-0000-0000-0000-000000000001"],
  );
  const from = `ops-${tag}@contoso.com`;
  await e2eSql(`insert into "SenderMailbox"(id, "tenantId", address) values ($1, $2, $3)`, [`m${tag}`, tenantId, from]);
  const sendId = `s${tag}`;
  await e2eSql(
    `insert into "Send"(id, "tenantId", mode, status, "actorUserId", "fromAddress", "toAddresses", "ccAddresses", "bccAddresses", "recipientCount", subject, body, "sizeBytes", attachments, "createdAt", "updatedAt")
     values ($1, $2, 'app', 'failed', $3, $4, $5, '{}', '{}', 1, $6, '<p>Hello</p>', 2048, '[]'::jsonb, now(), now())`,
    [sendId, tenantId, admin!.id, from, [`someone.${tag}@fabrikam.com`], `Quarterly report ${tag}`],
  );
  await e2eSql(
    `insert into "SendAttempt"(id, "sendId", number, "startedAt", "durationMs", "httpStatus", "graphCode", message, "requestId", "clientRequestId", outcome)
     values ($1, $2, 1, now(), 312, 403, 'ErrorAccessDenied', 'Blocked by tenant configured AppOnly AccessPolicy settings.', $3, $4, 'failed')`,
    [`a${tag}`, sendId, `req-${tag}`, `creq-${tag}`],
  );
  const runId = `r${tag}`;
  await e2eSql(`insert into "BulkRun"(id, "tenantId", "createdById", name, "fromAddress", source, "updatedAt") values ($1, $2, $3, $4, $5, 'csv', now())`, [
    runId,
    tenantId,
    admin!.id,
    `Welcome run ${tag}`,
    from,
  ]);
  const scriptId = `p${tag}`;
  await e2eSql(
    `insert into "MailScript"(id, "tenantId", name, encoding, original, converted, "callsFound", "convertedCount") values ($1, $2, $3, 'utf-8', $4, $5, 1, 1)`,
    [scriptId, tenantId, `report-${tag}.ps1`, `Send-MailMessage -From ${from} -To a@fabrikam.com -Subject Hi`, `Send-GraphMailMessage -From ${from} -To a@fabrikam.com -Subject Hi`],
  );
  const deviceId = `d${tag}`;
  await e2eSql(`insert into "Device"(id, "tenantId", name, username, "defaultFrom") values ($1, $2, $3, $4, $5)`, [deviceId, tenantId, `Printer ${tag}`, `dev-${tag}`, from]);
  return { tenantId, sendId, runId, scriptId, deviceId };
}

/** Every page an admin can open; `:tenant`, `:send`… stand for this file's rows. */
const PORTAL_PAGES = [
  "/",
  "/setup",
  "/setup/new",
  ...WIZARD_STEPS.map((step) => `/setup/:tenant/${step}`),
  "/senders",
  "/compose",
  "/bulk",
  "/bulk/new",
  "/bulk/:run",
  "/bulk/:run/template",
  "/history",
  "/history/:send",
  "/history/dead-letters",
  "/audit",
  "/scripts",
  "/scripts/:script",
  "/scripts/module",
  "/keys",
  "/devices",
  "/devices/new",
  "/devices/:device",
  "/api-docs",
  "/settings",
  "/settings/users",
  "/settings/groups",
  "/settings/credentials",
  "/settings/credentials/:tenant",
  "/settings/message-size",
  "/settings/retention",
  "/no-such-page",
];

function resolve(path: string, s: Seeded): string {
  return path.replace(":tenant", s.tenantId).replace(":send", s.sendId).replace(":run", s.runId).replace(":script", s.scriptId).replace(":device", s.deviceId);
}

/** Collects what the browser console reports as an error (a 404 for an icon, a CSP refusal, a React error). */
function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    // axe trying to run inside History's sandboxed message frame (no allow-scripts, on purpose) is refused.
    if (msg.type() === "error" && !msg.text().includes("about:srcdoc' because the document's frame is sandboxed")) errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));
  return errors;
}

/** axe's violations on the page as it is, one readable line per rule (with up to three of the elements at fault). */
async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  return violations.map((v) => {
    const nodes = v.nodes
      .slice(0, 3)
      .map((n) => `      ${n.target.join(" ")}: ${(n.failureSummary ?? "").split("\n").slice(1).join(" ").trim()}`)
      .join("\n");
    return `  [${v.impact ?? "?"}] ${v.id}: ${v.help} (${v.nodes.length} element${v.nodes.length === 1 ? "" : "s"})\n${nodes}`;
  });
}

/** Opens the page, waits for it to settle, and returns every problem found on it. */
async function auditPage(page: Page, path: string, expectedStatus = 200): Promise<string[]> {
  const consoleErrors = watchConsole(page);
  const res = await page.goto(path);
  await page.waitForLoadState("networkidle");
  const found: string[] = [];
  if (res?.status() !== expectedStatus) found.push(`  HTTP ${res?.status() ?? "no answer"} (expected ${expectedStatus})`);
  found.push(...(await axeViolations(page)));
  // The 404 itself is the one console error a missing page may log (the browser reports the status).
  found.push(...consoleErrors.filter((e) => expectedStatus === 200 || !e.includes("404")).map((e) => `  console error: ${e}`));
  return found;
}

let seeded: Seeded;
/** One admin session for the whole file (signing in once per page would triple the run). */
let signedIn: Awaited<ReturnType<BrowserContext["storageState"]>>;
test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  seeded = await seed();
  const context = await browser.newContext();
  await signInLocal(await context.newPage());
  signedIn = await context.storageState();
  await context.close();
});

for (const colorScheme of SCHEMES) {
  test.describe(`WCAG 2.1 AA (axe) in ${colorScheme} mode`, () => {
    for (const path of PORTAL_PAGES) {
      test(path, async ({ browser }) => {
        test.setTimeout(120_000);
        const context = await browser.newContext({ storageState: signedIn, colorScheme });
        const page = await context.newPage();
        const problems = await auditPage(page, resolve(path, seeded), path === "/no-such-page" ? 404 : 200);
        if (path === "/no-such-page") {
          // The branded 404, inside the shell.
          await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
          await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
        }
        await context.close();
        expect(problems, `${colorScheme} ${path}:\n${problems.join("\n")}`).toEqual([]);
      });
    }

    test("signed out: /sign-in and the 404", async ({ page }) => {
      await page.emulateMedia({ colorScheme });
      const problems = (await auditPage(page, "/sign-in")).map((p) => `/sign-in ${p}`);
      problems.push(...(await auditPage(page, "/sign-in/no-such-page", 404)).map((p) => `404 ${p}`));
      await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
      expect(problems, `${colorScheme} signed out:\n${problems.join("\n")}`).toEqual([]);
    });
  });
}

test("the icons answer: /favicon.ico, the SVG icon and the Apple touch icon", async ({ request, page }) => {
  for (const [path, type] of [
    ["/favicon.ico", "image/x-icon"],
    ["/favicon.svg", "image/svg+xml"],
  ] as const) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(200);
    expect(res.headers()["content-type"], path).toContain(type);
  }
  await page.goto("/sign-in");
  for (const rel of ["icon", "apple-touch-icon"]) {
    const hrefs = await page.locator(`head link[rel="${rel}"]`).evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
    expect(hrefs.length, rel).toBeGreaterThan(0);
    for (const href of hrefs) expect((await request.get(href)).status(), href).toBe(200);
  }
});

test.describe("at 390 px", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the navigation folds into a labelled, keyboard-operable menu and no main page runs off the screen", async ({ browser }) => {
    test.setTimeout(300_000);
    const context = await browser.newContext({ storageState: signedIn, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto("/");
    // The sidebar is folded away: the menu button opens the same links in a dialog.
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
    const menuButton = page.getByRole("button", { name: "Open the menu" });
    await menuButton.focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("dialog", { name: "Graph Mail Portal" });
    await expect(menu).toBeVisible();
    await expect(menu.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      expect(await axeViolations(page), `the open menu in ${colorScheme} mode`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: "light" });
    // Escape closes it and gives focus back to the button; a link closes it and marks its page current.
    await page.keyboard.press("Escape");
    await expect(menu).toBeHidden();
    await expect(menuButton).toBeFocused();
    await menuButton.click();
    await menu.getByRole("link", { name: "History" }).click();
    await expect(page).toHaveURL(/\/history$/);
    await expect(menu).toBeHidden();
    await menuButton.click();
    await expect(menu.getByRole("link", { name: "History" })).toHaveAttribute("aria-current", "page");
    await page.keyboard.press("Escape");

    const overflow: string[] = [];
    // The script pages are checked more strictly: the content area itself must not scroll sideways either (the
    // inventory table, the diff and the module's files scroll inside their own boxes), with a tenant and a
    // script whose long names and module path have no place to break.
    const wide = `w390${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    await e2eSql(
      `insert into "Tenant"(id, name, "directoryId", "clientId", "credentialKind", "consentState", "consentAt", "lastVerifiedAt", "wizardStep", "updatedAt")
       values ($1, $2, $3, $4, 'secret', 'granted', now(), now(), 'done', now())`,
      [`t${wide}`, `ContosoRegionalOfficesEuropeMiddleEastAndAfrica${wide}`, `${wide}.example.com`, "00000000-0000-0000-0000-000000000001"],
    );
    const line = `Send-MailMessage -From 'ops@contoso.com' -To 'someone.with.a.rather.long.address@fabrikam.com' -Subject 'Nightly report for every regional office' -SmtpServer 'relay.contoso.local'`;
    await e2eSql(
      `insert into "MailScript"(id, "tenantId", name, encoding, original, converted, "callsFound", "convertedCount", "attentionCount", "modulePath") values ($1, $2, $3, 'utf-8', $4, $5, 1, 1, 0, $6)`,
      [`s${wide}`, `t${wide}`, `NightlyReportForEveryRegionalOfficeOfContoso${wide}.ps1`, line, line.replace("Send-MailMessage", "Send-GraphMailMessage"), "C:\\ProgramFiles\\WindowsPowerShell\\Modules\\GraphMail\\1.0.0\\GraphMail.psd1"],
    );
    const scriptPages = ["/scripts", `/scripts?tenant=t${wide}`, `/scripts/s${wide}`, `/scripts/module?tenant=t${wide}&transport=api`];
    for (const path of ["/", "/setup", `/setup/${seeded.tenantId}/register`, "/senders", "/compose", "/bulk", "/history", `/history/${seeded.sendId}`, "/audit", "/keys", "/devices", "/api-docs", "/settings", "/settings/users", ...scriptPages]) {
      await page.goto(path);
      await page.waitForLoadState("networkidle");
      const { scrollWidth, innerWidth, main } = await page.evaluate(() => {
        const m = document.getElementById("main")!;
        return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, main: { scroll: m.scrollWidth, client: m.clientWidth } };
      });
      if (scrollWidth > innerWidth) overflow.push(`${path}: ${scrollWidth} px wide in a ${innerWidth} px window`);
      if (scriptPages.includes(path) && main.scroll > main.client) overflow.push(`${path}: the content area scrolls sideways (${main.scroll} px in ${main.client} px)`);
    }
    await context.close();
    expect(overflow, `Pages wider than the screen:\n${overflow.join("\n")}`).toEqual([]);
  });
});
