import { expect, test, type Browser, type Page } from "@playwright/test";
import { e2eSql, sandbox, sandboxControl, signInLocal } from "./support";

/**
 * Admission of Microsoft users, through the pages: a first sign-in grants no role by itself. By approval
 * (the default) the person waits and an admin approves or declines on Settings → Users; by invitation an
 * uninvited person is refused and an invited one gets the invited role. People are seeded in the sandbox
 * tenant with unique names. Serial: the invitation flow switches the shared sandbox tenant's mode (other
 * spec files invite their Microsoft users, so they pass in either mode) and switches it back.
 */
test.describe.configure({ mode: "serial" });

const TENANT = "Sandbox (Contoso demo)";
const uniq = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const literal = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

interface Person {
  upn: string;
  displayName: string;
  password: string;
}

async function seedPerson(first: string): Promise<Person> {
  const sb = await sandbox();
  const person = { upn: `${first.toLowerCase()}.${uniq()}@${sb.tenant.domain}`, displayName: `${first} Admission`, password: `Sandbox-${uniq()}-1!` };
  await sandboxControl("/seed", { users: [{ userPrincipalName: person.upn, displayName: person.displayName, password: person.password, mailbox: "user" }] });
  return person;
}

/** The Microsoft sign-in path: the portal's button, then the sandbox's Entra ID page. */
async function signInWithMicrosoft(page: Page, person: Person): Promise<void> {
  const sb = await sandbox();
  await page.goto("/sign-in");
  await page.getByRole("button", { name: `Sign in with Microsoft (${TENANT})` }).click();
  await expect(page).toHaveURL(new RegExp(`^${sb.loginUrl}/`));
  await page.getByRole("radio", { name: literal(person.upn) }).check();
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

async function adminPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInLocal(page);
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("link", { name: "Manage users" }).click();
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  return page;
}

const tenantRegion = (admin: Page) => admin.getByRole("region", { name: TENANT, exact: true });
const waitingList = (admin: Page) => tenantRegion(admin).getByRole("list", { name: /^Requests waiting for approval/ });
const invitationList = (admin: Page) => tenantRegion(admin).getByRole("list", { name: `Invitations to ${TENANT}` });

async function setAdmission(admin: Page, label: "By invitation" | "By approval"): Promise<void> {
  const region = tenantRegion(admin);
  await region.getByLabel("How people get in").selectOption({ label });
  await region.getByRole("button", { name: "Save", exact: true }).click();
  await expect(region.getByRole("status").filter({ hasText: `Admission saved: ${label.toLowerCase()}.` })).toBeVisible();
  // The saved mode is what the form shows afterwards, and after a reload (it is read from the database).
  const value = label === "By invitation" ? "invitation" : "approval";
  await expect(region.getByLabel("How people get in")).toHaveValue(value);
  await expect(region.getByText(`Now: ${label.toLowerCase()}.`)).toBeVisible();
  await admin.reload();
  await expect(tenantRegion(admin).getByLabel("How people get in")).toHaveValue(value);
}

test.afterAll(async () => {
  // Whatever happened above, leave the shared tenant in the default mode the other spec files assume.
  await e2eSql(`update "Tenant" set admission = 'approval' where name = $1`, [TENANT]);
});

test("by approval: a first Microsoft sign-in waits, an admin approves it as sender, the next sign-in gets in", async ({ page, browser }) => {
  const person = await seedPerson("Pattie");
  await signInWithMicrosoft(page, person);
  await expect(page).toHaveURL(/\/sign-in\/waiting\?tenant=/);
  await expect(page.getByRole("heading", { name: "Waiting for approval" })).toBeVisible();
  await expect(page.getByText(`Microsoft account of ${TENANT}`)).toBeVisible();
  await expect(page.getByText(/admins have been told/)).toBeVisible();
  await expect(page.getByRole("link", { name: "Back to sign in" })).toHaveAttribute("href", "/sign-in");
  // An unknown tenant id is no error: the page just names no tenant.
  await page.goto("/sign-in/waiting?tenant=%22%3E%3Cscript%3Enope");
  await expect(page.getByRole("heading", { name: "Waiting for approval" })).toBeVisible();
  await expect(page.getByText("You signed in with your Microsoft account. In this portal, people get in once a portal admin approves")).toBeVisible();
  // Still no session: the portal's pages send the person to sign in.
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);

  const admin = await adminPage(browser);
  await expect(admin.getByText(/\d+ requests? waiting for approval/)).toBeVisible();
  const region = tenantRegion(admin);
  const request = waitingList(admin).getByRole("listitem").filter({ hasText: person.upn });
  await expect(request).toContainText(person.displayName);
  await request.getByLabel(`Role for ${person.upn}`).selectOption("sender");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(admin.getByText("Request approved as sender.").first()).toBeVisible();
  await expect(waitingList(admin).getByRole("listitem").filter({ hasText: person.upn })).toHaveCount(0);
  await expect(region.getByText(`${person.upn}: approved as sender`)).toBeVisible();
  // The account exists already, bound to the Microsoft identity; the person has not signed in to it yet.
  const row = admin.getByRole("row").filter({ hasText: person.upn });
  await expect(row).toContainText(`Microsoft (${TENANT})`);
  await expect(row).toContainText("never");
  await expect(row.getByLabel(`Role of ${person.upn}`)).toHaveValue("sender");
  await admin.context().close();

  await signInWithMicrosoft(page, person);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("user-name")).toHaveText(person.displayName);
  await expect(page.getByText("(sender)")).toBeVisible();
});

test("by approval: a declined person is told so at the next sign-in", async ({ page, browser }) => {
  const person = await seedPerson("Megan");
  await signInWithMicrosoft(page, person);
  await expect(page.getByRole("heading", { name: "Waiting for approval" })).toBeVisible();

  const admin = await adminPage(browser);
  const region = tenantRegion(admin);
  await waitingList(admin).getByRole("listitem").filter({ hasText: person.upn }).getByRole("button", { name: "Decline" }).click();
  await expect(admin.getByText("Request declined.").first()).toBeVisible();
  await expect(region.getByText(`${person.upn}: declined`)).toBeVisible();
  await expect(admin.getByRole("row").filter({ hasText: person.upn })).toHaveCount(0);
  await admin.context().close();

  await signInWithMicrosoft(page, person);
  await expect(page).toHaveURL(/\/sign-in\?error=RequestDeclined/);
  await expect(page.getByRole("alert").filter({ hasText: `A portal admin declined your request to use this portal with your account of ${TENANT}.` })).toBeVisible();
});

test("by invitation: an uninvited person is refused, an invited one gets the invited role", async ({ page, browser }) => {
  const person = await seedPerson("Isaiah");
  const admin = await adminPage(browser);
  await setAdmission(admin, "By invitation");

  await signInWithMicrosoft(page, person);
  await expect(page).toHaveURL(/\/sign-in\?error=NotInvited/);
  await expect(
    page.getByRole("alert").filter({ hasText: `This portal admits people of ${TENANT} by invitation, and no invitation matches your account. Ask a portal admin to invite you.` }),
  ).toBeVisible();

  const region = tenantRegion(admin);
  const email = region.getByLabel("Email address to invite");
  // Hostile input is refused on the field, and what was typed stays there.
  await email.fill('"><script>alert(1)</script>');
  await region.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(region.getByText("Enter one email address, such as adele.vance@contoso.com")).toBeVisible();
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(email).toHaveValue('"><script>alert(1)</script>');

  // Typed in capitals: the invitation is stored (and matched) in lower case.
  await email.fill(person.upn.toUpperCase());
  await region.getByLabel("Invite as").selectOption("auditor");
  await region.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(region.getByRole("status").filter({ hasText: `Invited ${person.upn} as auditor.` })).toBeVisible();
  const invitation = invitationList(admin).getByRole("listitem").filter({ hasText: person.upn });
  await expect(invitation).toContainText("auditor");
  await expect(invitation).toContainText("open");

  // A second open invitation for the same address is refused on the field.
  await email.fill(person.upn);
  await region.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(region.getByText(`${person.upn} already has an open invitation to ${TENANT}`).first()).toBeVisible();

  // Another invitation, revoked: it leaves the list.
  const other = `revoked.${uniq()}@contoso.example`;
  await email.fill(other);
  await region.getByRole("button", { name: "Invite", exact: true }).click();
  const revoked = invitationList(admin).getByRole("listitem").filter({ hasText: other });
  await expect(revoked).toBeVisible();
  await revoked.getByRole("button", { name: "Revoke" }).click();
  await expect(admin.getByText("Invitation revoked.").first()).toBeVisible();
  await expect(revoked).toHaveCount(0);

  await signInWithMicrosoft(page, person);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("user-name")).toHaveText(person.displayName);
  await expect(page.getByText("(auditor)")).toBeVisible();

  await admin.reload();
  await expect(invitationList(admin).getByRole("listitem").filter({ hasText: person.upn })).toContainText("accepted");
  await setAdmission(admin, "By approval");
  await admin.context().close();
});
