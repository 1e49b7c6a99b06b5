import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { E2E } from "./env";
import { createLocalUser, grantMailbox, sandbox, signInLocal } from "./support";

// The scripts' door (issue 12) end to end: an admin creates a key on the API keys page and sees its
// secret once; a script — real curl, started without a shell — sends with it; the send shows in History
// under the key's name; the admin revokes the key and the same curl is refused with a 401 problem.
const run = promisify(execFile);
const tag = randomBytes(4).toString("hex");

async function curl(args: string[]): Promise<{ status: number; type: string; body: Record<string, unknown> }> {
  // -w prints the status and content type after the body; no shell, so nothing in the arguments is interpreted.
  const { stdout } = await run("curl", ["--silent", "--show-error", "--max-time", "30", "-w", "\n%{http_code} %{content_type}", ...args]);
  const cut = stdout.lastIndexOf("\n");
  const [status, type] = stdout.slice(cut + 1).split(" ");
  return { status: Number(status), type: type ?? "", body: JSON.parse(stdout.slice(0, cut) || "{}") as Record<string, unknown> };
}

test("an admin creates a key, sees it once, a script sends with curl, History shows it under the key's name, and a revoked key gets 401", async ({ page }) => {
  test.setTimeout(180_000);
  const sb = await sandbox();
  const admin = { email: `keys.admin.${tag}@example.com`, name: `Keys Admin ${tag}`, password: `keys admin password ${tag}`, role: "admin" as const };
  const adminId = await createLocalUser(admin);
  // Makes sure the demo tenant lists the shared mailbox (the grant to the admin plays no part in the key's).
  await grantMailbox({ userId: adminId }, "Sandbox (Contoso demo)", sb.mailboxes.shared);
  await signInLocal(page, admin);

  const keyName = `e2e-script-${tag}`;
  await page.goto("/keys");
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
  // A refused form names the field.
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByLabel("Key name")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Key name").fill(keyName);
  await page.getByLabel("Tenant", { exact: true }).selectOption({ label: "Sandbox (Contoso demo)" });
  await page.getByLabel(sb.mailboxes.shared, { exact: true }).check();
  await page.getByLabel("Messages per minute").fill("20");
  await page.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByTestId("new-key-secret");
  await expect(shown).toHaveText(/^gmp_live_[A-Za-z0-9_-]{43}$/);
  const secret = ((await shown.textContent()) ?? "").trim();
  await expect(page.getByRole("button", { name: `Copy the secret of ${keyName}` })).toBeVisible();
  const row = page.getByTestId(`key-${keyName}`);
  await expect(row).toContainText(`${secret.slice(0, 13)}…`);
  await expect(row).toContainText(sb.mailboxes.shared);

  // Shown once: after a reload it is nowhere on the page.
  await page.reload();
  await expect(page.getByTestId(`key-${keyName}`)).toBeVisible();
  await expect(page.getByTestId("new-key-secret")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret.slice(13));

  // A script sends with the key.
  const subject = `Sent by curl ${tag}`;
  const message = {
    from: { emailAddress: { address: sb.mailboxes.shared } },
    subject,
    body: { contentType: "Text", content: "Hello from a script." },
    toRecipients: [{ emailAddress: { address: sb.mailboxes.allowed, name: "Adele" } }],
  };
  const post = (key: string) =>
    curl(["-X", "POST", `${E2E.portalUrl}/api/v1/messages`, "-H", `Authorization: Bearer ${key}`, "-H", "Content-Type: application/json", "-H", `Idempotency-Key: e2e-${tag}`, "--data-binary", JSON.stringify(message)]);
  const sent = await post(secret);
  expect(sent.status).toBe(202);
  const id = String(sent.body.id);
  expect(sent.body.location).toBe(`/api/v1/messages/${id}`);
  await expect
    .poll(async () => (await curl(["-H", `Authorization: Bearer ${secret}`, `${E2E.portalUrl}/api/v1/messages/${id}`])).body.status, { timeout: 60_000 })
    .toBe("accepted");
  // The same Idempotency-Key again: the first result, not a second message.
  const again = await post(secret);
  expect(again).toMatchObject({ status: 202, body: { id } });

  // History shows the send under the key's name, and the keys page counts the uses.
  await page.goto(`/history?key=${encodeURIComponent(keyName)}`);
  await expect(page.getByText(subject)).toBeVisible();
  await expect(page.getByText(`key ${keyName}`)).toBeVisible();
  await page.goto("/keys");
  await expect(page.getByTestId(`key-${keyName}`)).toContainText(/\b([3-9]|\d{2,}) uses · from /);

  // Revoked: the next request is a 401 problem, and nothing more is queued.
  await page.getByRole("button", { name: `Revoke ${keyName}` }).click();
  await expect(page.getByTestId(`key-${keyName}`)).toContainText("revoked");
  const refused = await post(secret);
  expect(refused.status).toBe(401);
  expect(refused.type).toBe("application/problem+json");
  expect(refused.body).toMatchObject({ status: 401, title: "Unauthorized", instance: "/api/v1/messages", detail: expect.stringMatching(/revoked/) });
});

test("the REST API page renders the OpenAPI reference and the examples with copy buttons", async ({ page }) => {
  const admin = { email: `docs.admin.${tag}@example.com`, name: `Docs Admin ${tag}`, password: `docs admin password ${tag}`, role: "sender" as const };
  await createLocalUser(admin);
  await signInLocal(page, admin);
  await page.goto("/api-docs");
  await expect(page.getByRole("heading", { name: "REST API", exact: true })).toBeVisible();
  for (const example of ["curl", "PowerShell (Invoke-RestMethod, Windows PowerShell 5.1 and PowerShell 7)", "Python (requests)"]) {
    await expect(page.getByRole("button", { name: `Copy the ${example} example` })).toBeVisible();
  }
  await expect(page.getByRole("region", { name: "PowerShell (Invoke-RestMethod, Windows PowerShell 5.1 and PowerShell 7)" }).locator("pre")).toContainText("Tls12");
  // Scalar renders the generated document: its title, and the Bearer scheme's description from the document.
  const reference = page.getByTestId("api-reference");
  await expect(reference.getByRole("heading", { name: "Graph Mail Portal REST API" })).toBeVisible({ timeout: 30_000 });
  await expect(reference.getByText("Authorization: Bearer gmp_live_…").first()).toBeAttached();
  const doc = await page.request.get("/api/v1/openapi.json");
  expect(((await doc.json()) as { openapi: string }).openapi).toBe("3.1.0");
});
