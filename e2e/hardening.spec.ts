import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { E2E } from "./env";
import { ADMIN, e2eSql, grantMailbox, sandbox, signInLocal } from "./support";

/**
 * Forged requests, redirects and headers, tried from a real browser as an attacker would: a page on
 * another port of the same host (same-site, so the session cookie rides along), a hostile callbackUrl,
 * and the app working under its nonce-based Content-Security-Policy. Each test seeds its own data.
 */
const TENANT = "Sandbox (Contoso demo)";
const uniq = () => Math.random().toString(36).slice(2, 8);
const portal = E2E.portalUrl;

/** Collects every CSP violation, Permissions-Policy header error and uncaught error the page reports. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Content-Security-Policy|Permissions-Policy/i.test(m.text())) problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

async function sendPayload(subject: string): Promise<Record<string, unknown>> {
  const sb = await sandbox();
  const [tenant] = await e2eSql<{ id: string }>(`select id from "Tenant" where name = $1`, [TENANT]);
  return { tenantId: tenant!.id, mode: "app", from: sb.mailboxes.allowed, to: [sb.mailboxes.allowed], subject, body: "forged" };
}

async function countSends(subject: string): Promise<number> {
  const [row] = await e2eSql<{ n: number }>(`select count(*)::int as n from "Send" where subject = $1`, [subject]);
  return row!.n;
}

/** A tiny site on another loopback port: same host name, so same-site with the portal, another origin. */
async function attackerSite(html: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://localhost:${(server.address() as AddressInfo).port}/`, server };
}

const escapeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/'/g, "&#39;");

test.beforeAll(async () => {
  const sb = await sandbox();
  await grantMailbox({ email: ADMIN.email }, TENANT, sb.mailboxes.allowed);
});

test("a page on another origin cannot queue a send with the admin's cookie (text/plain form, no-cors fetch)", async ({ page }) => {
  await signInLocal(page);
  const tag = uniq();
  const forged = `CSRF form ${tag}`;
  const forgedFetch = `CSRF fetch ${tag}`;
  // The classic trick: enctype=text/plain sends `name=value`, and a name ending in `"pad":"` with the value
  // `"}` makes the body read as JSON.
  const json = JSON.stringify(await sendPayload(forged));
  const name = `${json.slice(0, -1)},"pad":"`;
  const html = `<!doctype html><title>Win a prize</title>
    <form id="f" enctype="text/plain" method="post" action="${portal}/api/sends"><input type="hidden" name='${escapeAttr(name)}' value='"}'></form>
    <script>
      fetch(${JSON.stringify(`${portal}/api/sends`)}, { method: "POST", mode: "no-cors", credentials: "include",
        headers: { "content-type": "text/plain" }, body: ${JSON.stringify(JSON.stringify(await sendPayload(forgedFetch)))} })
        .finally(() => document.getElementById("f").submit());
    </script>`;
  const { url, server } = await attackerSite(html);
  try {
    const posts: number[] = [];
    page.on("response", (r) => {
      if (r.url() === `${portal}/api/sends` && r.request().method() === "POST") posts.push(r.status());
    });
    const formAnswer = page.waitForResponse((r) => r.url() === `${portal}/api/sends` && r.request().method() === "POST" && r.request().resourceType() === "document");
    await page.goto(url);
    const answer = await formAnswer;
    expect(answer.status()).toBe(403);
    expect(await answer.text()).toContain("did not come from the portal's own pages");
    await expect.poll(() => posts.length).toBe(2);
    expect(posts).toEqual([403, 403]);
  } finally {
    server.close();
  }
  expect(await countSends(forged)).toBe(0);
  expect(await countSends(forgedFetch)).toBe(0);

  // The same payload from the portal's own page, as JSON, is accepted: the forgery failed on its origin,
  // not on its content.
  const genuine = `Genuine ${tag}`;
  await page.goto("/");
  const status = await page.evaluate(async (body) => {
    const res = await fetch("/api/sends", { method: "POST", headers: { "content-type": "application/json" }, body });
    return res.status;
  }, JSON.stringify(await sendPayload(genuine)));
  expect(status).toBe(201);
  expect(await countSends(genuine)).toBe(1);
});

test("pages carry a nonce-based CSP and the security headers, and the app works under them", async ({ page }) => {
  const problems = watchConsole(page);
  const signInPage = await page.goto("/sign-in");
  const signInCsp = signInPage!.headers()["content-security-policy"] ?? "";
  await signInLocal(page);

  const res = await page.goto("/");
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  const h = res!.headers();
  const csp = h["content-security-policy"] ?? "";
  const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  for (const directive of ["default-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'", "img-src 'self' data: blob:", "connect-src 'self'"]) {
    expect(csp).toContain(directive);
  }
  expect(csp).not.toContain("unsafe-eval");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  // A fresh nonce per response, and every script of the page carries this response's nonce.
  expect(signInCsp).toMatch(/'nonce-/);
  expect(signInCsp).not.toContain(`'nonce-${nonce}'`);
  const scripts = await page.evaluate(() => [...document.scripts].map((s) => ({ nonce: s.nonce, src: s.src })));
  const scriptNonces = scripts.filter((s) => s.nonce).map((s) => s.nonce);
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
  // A chunk Next's runtime loads later (next/dynamic) has no nonce of its own: 'strict-dynamic' trusts it
  // because a nonced script inserted it. None of those may be inline, and all come from the build's folder.
  for (const s of scripts.filter((x) => !x.nonce)) expect(s.src, JSON.stringify(scripts)).toMatch(new RegExp(`^${E2E.portalUrl}/_next/static/`));

  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(h["cross-origin-opener-policy"]).toBe("same-origin");
  expect(h["permissions-policy"]).toContain("camera=()");
  expect(h["permissions-policy"]).toContain("microphone=()");
  expect(h["permissions-policy"]).toContain("geolocation=()");
  // Served over http://localhost here: no HSTS (it is only sent when PORTAL_URL is https).
  expect(h["strict-transport-security"]).toBeUndefined();

  // Client-side navigation still works under the policy (the page is not reloaded: the marker survives).
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  await page.getByRole("link", { name: "History", exact: true }).click();
  await expect(page.getByRole("heading", { name: "History", exact: true })).toBeVisible();
  await page.getByRole("link", { name: "Compose", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Compose" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Message body" })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  expect(problems).toEqual([]);
});

test("a hostile callbackUrl after local sign-in lands on the portal, a safe one is kept", async ({ browser }) => {
  for (const [callbackUrl, expected] of [
    ["/%5Cevil.example/x", "/"],
    ["/%09/evil.example/x", "/"],
    ["%2F%2Fevil.example", "/"],
    ["/history?status=failed", "/history?status=failed"],
  ] as const) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchConsole(page);
    const leftSite: string[] = [];
    page.on("request", (r) => {
      if (r.isNavigationRequest() && new URL(r.url()).origin !== portal) leftSite.push(r.url());
    });
    await page.goto(`/sign-in?callbackUrl=${callbackUrl}`);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("heading", { name: expected === "/" ? "Dashboard" : "History", exact: true })).toBeVisible();
    const landed = new URL(page.url());
    expect(landed.origin, callbackUrl).toBe(portal);
    expect(`${landed.pathname}${landed.search}`, callbackUrl).toBe(expected);
    expect(leftSite, callbackUrl).toEqual([]);
    expect(problems, callbackUrl).toEqual([]);
    await context.close();
  }
});
