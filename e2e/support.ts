import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { E2E } from "./env";

export const ADMIN = { name: "Ada Admin", email: "ada.admin@example.com", password: "correct horse battery staple" };

export async function readSetupCode(): Promise<string> {
  return (await readFile(path.join(E2E.dataDir, "setup-code"), "utf8")).trim();
}

export interface SandboxInfo {
  loginUrl: string;
  controlUrl: string;
  inboxUrl?: string;
  tenant: { id: string; domain: string };
  users: { upn: string; password: string; displayName?: string }[];
  mailboxes: { allowed: string; outsidePolicy: string; shared: string };
}

export async function sandbox(): Promise<SandboxInfo> {
  return JSON.parse(await readFile(path.join(E2E.sandboxDir, "endpoints.json"), "utf8")) as SandboxInfo;
}

/** Signs in with a local portal account through the sign-in page, as a person does. */
export async function signInLocal(page: Page, who: { email: string; password: string } = ADMIN): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
}
