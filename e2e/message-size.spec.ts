import { expect, test } from "@playwright/test";
import { createLocalUser, grantMailbox, randomFile, sandbox, signInLocal } from "./support";

// Issue 11: Exchange counts the ENCODED message against MaxSendSize. A 27 MB file is under the default 35 MB
// as raw bytes, about 37 MB encoded: Compose warns as soon as it is attached, and sending it is refused before
// anything reaches Microsoft, with the same words.
test("Compose warns that a 27 MB attachment is over a 35 MB mailbox once encoded, and the send is refused", async ({ page }, info) => {
  const sb = await sandbox();
  const who = { email: `size-${Math.random().toString(36).slice(2, 8)}@example.com`, name: "Sam Size", password: "Size-Sender-1!", role: "sender" as const };
  const userId = await createLocalUser(who);
  await grantMailbox({ userId }, "Sandbox (Contoso demo)", sb.mailboxes.allowed);
  const big = await randomFile(info.outputDir, "scan.bin", 27 * 1024 * 1024);

  await signInLocal(page, who);
  await page.getByRole("link", { name: "Compose" }).click();
  await page.getByLabel("To", { exact: true }).fill(`lee.gu@${sb.tenant.domain}`);
  await page.getByLabel("To", { exact: true }).press("Enter");
  await page.getByLabel("Subject").fill("Scanned contracts");
  await page.locator("#attachments-input").setInputFiles(big.path);
  const warning = page.getByRole("note").filter({ hasText: "Encoded for sending" });
  await expect(warning).toContainText(/this message is about 3[67](\.\d)? MB \(27 MB of attachments grow by about a third in base64\), over the sender mailbox's limit of 35 MB/);
  await expect(warning).toContainText("Microsoft Graph does not tell the portal a mailbox's own MaxSendSize");
  await expect(page.getByText("Uploaded to the portal")).toBeVisible({ timeout: 60_000 });
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText(/^Encoded for sending, this message is about 3[67]/).and(page.getByRole("alert"))).toBeVisible();
  await expect(page.getByTestId("send-status")).toHaveCount(0);
});
