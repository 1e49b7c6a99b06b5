import { expect, type Locator, type Page } from "@playwright/test";

/**
 * Issue 15's "Done means" walk, shared by e2e/onboarding.spec.ts and `npm run bench:onboarding`
 * (scripts/bench/onboarding.ts): what an admin does from signing in to a proved restriction of a new
 * sandbox tenant with the recommended choices, then a mail sent from Compose and seen in History.
 * Every click, typed field, checked box, chosen option and typed URL goes through `Interactions`, which
 * counts it: the figures are measured, never written down.
 */
export class Interactions {
  count = 0;
  readonly log: string[] = [];
  constructor(private readonly page: Page) {}
  private note(what: string) {
    this.count++;
    this.log.push(`${this.count}. ${what}`);
  }
  async click(l: Locator, what: string) { this.note(`click ${what}`); await l.click(); }
  async fill(l: Locator, value: string, what: string) { this.note(`type ${what}`); await l.fill(value); }
  async check(l: Locator, what: string) { this.note(`tick ${what}`); await l.check(); }
  async select(l: Locator, value: string, what: string) { this.note(`choose ${what}`); await l.selectOption(value); }
  async go(path: string, what: string) { this.note(`open ${what}`); await this.page.goto(path); }
}

export interface WalkInput {
  /** The fresh sandbox directory (seeded by the caller) and its mailboxes. */
  domain: string;
  inside: string;
  outside: string;
  /** To an inside address of the same directory, so the mail lands in the sandbox. */
  to: string;
  admin: { email: string; password: string };
  tenantName: string;
  subject: string;
  /** Called on every screen of the walk (the spec attaches screenshots; the bench passes a no-op). */
  screen: (name: string) => Promise<void>;
  /** Called once the restriction is proved (the bench notes the time). */
  onProved?: () => void;
}

export interface WalkResult { toProved: number; toHistory: number; log: string[] }

export async function onboardingWalk(page: Page, w: WalkInput): Promise<WalkResult> {
  const act = new Interactions(page);
  const main = page.locator("main");

  await act.go("/sign-in", "the portal");
  await w.screen("sign-in");
  await act.fill(page.getByLabel("Email"), w.admin.email, "email");
  await act.fill(page.getByLabel("Password"), w.admin.password, "password");
  await act.click(page.getByRole("button", { name: "Sign in", exact: true }), "Sign in");
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await w.screen("dashboard");

  await act.click(page.getByRole("link", { name: "Setup", exact: true }).first(), "Setup");
  await w.screen("setup-list");
  await act.click(main.getByRole("link", { name: "Add tenant" }), "Add tenant");
  await w.screen("add-tenant");
  await act.fill(page.getByLabel("Display name"), w.tenantName, "display name");
  await act.fill(page.getByLabel("Directory (tenant) ID or verified domain"), w.domain, "domain");
  // Recommended choices are the defaults: the Sandbox cloud in demo mode, application sending.
  await expect(page.getByLabel("Sandbox (local stand-in)")).toBeChecked();
  await expect(page.getByLabel("Application sending")).toBeChecked();
  await act.click(page.getByRole("button", { name: "Save and continue" }), "Save and continue");
  await expect(page).toHaveURL(/\/register$/);
  await w.screen("register");

  const ps = page.getByRole("region", { name: "Microsoft Graph PowerShell (recommended)" });
  await act.click(ps.getByRole("button", { name: "Run in the sandbox" }), "Run in the sandbox (registration)");
  await expect(ps.getByRole("status")).toContainText("The application (client) ID", { timeout: 30_000 });
  await act.click(page.getByRole("button", { name: "Save and continue" }), "Save and continue");
  await expect(page).toHaveURL(/\/credential$/);
  await w.screen("credential");

  await act.click(page.getByRole("button", { name: "Generate a certificate" }), "Generate a certificate");
  const upload = page.getByRole("region", { name: "Upload it with Microsoft Graph PowerShell" });
  await act.click(upload.getByRole("button", { name: "Run in the sandbox" }), "Run in the sandbox (certificate upload)");
  await expect(upload.getByRole("status")).toHaveText("The script ran without errors.", { timeout: 30_000 });
  await act.click(page.getByRole("link", { name: "Continue to admin consent" }), "Continue");
  // The script granted consent: the step is skipped, with its one-line reason.
  await expect(page).toHaveURL(/\/verify\?skipped=consent$/);
  await expect(page.getByTestId("consent-skipped")).toContainText("already granted by the registration script");
  await w.screen("verify");

  await act.click(page.getByRole("button", { name: "Verify now" }), "Verify now");
  await expect(page.getByTestId("granted-roles")).toHaveText("Mail.Send", { timeout: 30_000 });
  await act.click(main.getByRole("link", { name: "Continue", exact: true }), "Continue");
  await expect(page).toHaveURL(/\/restrict$/);
  await expect(page.getByRole("radio", { name: /RBAC for Applications \(recommended\)/ })).toBeChecked();
  await w.screen("restrict");

  const picker = page.getByTestId("mailbox-picker");
  if (await picker.isVisible()) await act.check(picker.getByRole("checkbox", { name: new RegExp(w.inside.replace(/[.]/g, "\\.")) }), "the inside mailbox");
  else await act.fill(page.getByLabel("Mailboxes the app may send as"), w.inside, "the inside mailbox");
  await act.fill(page.getByLabel("A mailbox outside the restriction (for the proof)"), w.outside, "the outside mailbox");
  await act.click(page.getByRole("button", { name: "Save and generate the scripts" }), "Save and generate the scripts");
  const both = page.getByRole("button", { name: "Run both in the sandbox" });
  await act.click(both, "Run both in the sandbox");
  await expect(page.getByText("The script ran without errors.").first()).toBeVisible({ timeout: 60_000 });
  await w.screen("restrict-run");
  await act.click(page.getByRole("link", { name: "Continue to the proof" }), "Continue to the proof");
  await expect(page).toHaveURL(/\/prove$/);
  await w.screen("prove");

  await act.click(page.getByRole("button", { name: "Send the test messages" }), "Send the test messages");
  await expect(page.getByTestId("proof-202")).toContainText("202", { timeout: 60_000 });
  await expect(page.getByTestId("proof-403")).toContainText("403 ErrorAccessDenied");
  await expect(page.getByText("Proved: the app sends only as the allowed mailboxes.")).toBeVisible();
  const toProved = act.count;
  w.onProved?.();
  await w.screen("proved");

  await act.click(page.getByRole("link", { name: "Finish" }), "Finish");
  await expect(page.getByTestId("tenant-summary")).toContainText("proved (1 mailbox)");
  await w.screen("done");
  await act.click(page.getByRole("button", { name: "Let me send as them: open Compose" }), "Let me send as them: open Compose");
  await expect(page.getByRole("heading", { name: "Compose" })).toBeVisible();
  await w.screen("compose");
  // Compose opens on the new tenant and its proved mailbox, however many other tenants the admin sends from.
  await expect(page.getByLabel("From")).toHaveValue(w.inside);
  await act.fill(page.getByLabel("To", { exact: true }), w.to, "To");
  await act.fill(page.getByLabel("Subject"), w.subject, "Subject");
  await act.fill(page.getByRole("textbox", { name: "Message body" }), "Welcome aboard: the portal is set up.", "Message body");
  await act.click(page.getByRole("button", { name: "Send", exact: true }), "Send");
  const status = page.getByTestId("send-status");
  await expect(status).not.toHaveText(/Queued|Sending|Retrying/, { timeout: 30_000 });
  // A refusal fails with the page's own explanation, not only "Failed".
  if (!/Accepted/.test(await status.innerText())) throw new Error(`the mail was not accepted: ${await page.getByRole("region", { name: /Send status/ }).innerText()}`);
  await w.screen("sent");
  await act.click(page.getByRole("link", { name: "History", exact: true }).first(), "History");
  await expect(main.getByText(w.subject).first()).toBeVisible({ timeout: 30_000 });
  await w.screen("history");
  return { toProved, toHistory: act.count, log: act.log };
}
