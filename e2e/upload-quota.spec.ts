import { expect, test } from "@playwright/test";
import { createLocalUser, e2eSql, grantMailbox, randomFile, sandbox, signInLocal } from "./support";

// Upload quotas (issue 10): a sender at the default count quota (20 attachments uploaded and not sent)
// attaches one more file and the compose page says which limit and how much is used. The 20 earlier
// uploads are seeded as quota rows: what matters here is what the page shows for the server's refusal.
test("the compose page shows the quota message when a sender is over the upload quota", async ({ page }, info) => {
  const sb = await sandbox();
  const who = { email: `quota-${Math.random().toString(36).slice(2, 8)}@example.com`, name: "Quinn Quota", password: "Quota-Sender-1!", role: "sender" as const };
  const userId = await createLocalUser(who);
  await grantMailbox({ userId }, "Sandbox (Contoso demo)", sb.mailboxes.allowed);
  await e2eSql(`insert into "Upload"(id, "ownerId", bytes) select md5(random()::text), $1, 1000 from generate_series(1, 20)`, [userId]);

  await signInLocal(page, who);
  await page.getByRole("link", { name: "Compose" }).click();
  const file = await randomFile(info.outputDir, "one-too-many.txt", 2048);
  await page.locator("#attachments-input").setInputFiles(file.path);
  await expect(page.getByRole("list", { name: "Attachments" }).getByRole("alert")).toHaveText(
    "You have 20 attachments uploaded and not sent yet, the most allowed (20). Send the message or remove attachments, then attach this file again.",
  );
});
