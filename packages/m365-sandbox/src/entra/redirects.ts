/**
 * Redirect URI rules, answers sent back to the app, and the browser sign-in session cookie.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SandboxContext } from "../context";
import { esc, redirect, sendHtml } from "../http";
import type { AppRegistration } from "../model";
import { entraState, type Flow, type SignInSession } from "./state";

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

/**
 * Exact match, except that for http loopback addresses the port is ignored
 * (learn "reply-url", section "Localhost exceptions").
 */
export function redirectUriMatches(registered: string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  let req: URL;
  try {
    req = new URL(requested);
  } catch {
    return false;
  }
  if (req.protocol !== "http:" || !LOOPBACK_HOSTS.includes(req.hostname)) return false;
  return registered.some((r) => {
    try {
      const reg = new URL(r);
      return reg.protocol === "http:" && reg.hostname === req.hostname && reg.pathname === req.pathname && reg.search === req.search;
    } catch {
      return false;
    }
  });
}

/** The app's answer: a 302 with query/fragment parameters, or an auto-posting form (response_mode=form_post). */
export function sendToApp(res: ServerResponse, flow: Pick<Flow, "redirectUri" | "responseMode" | "state">, params: Record<string, string>): void {
  const all = { ...params, ...(flow.state !== undefined ? { state: flow.state } : {}) };
  if (flow.responseMode === "form_post") {
    const nonce = randomBytes(16).toString("base64");
    const inputs = Object.entries(all).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join("");
    sendHtml(
      res,
      200,
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Working…</title></head><body><main><form method="post" action="${esc(flow.redirectUri)}">${inputs}<noscript><p>Script is disabled. Select Continue to return to the application.</p></noscript><button type="submit">Continue</button></form></main><script nonce="${nonce}">document.forms[0].submit()</script></body></html>`,
      { "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; form-action http: https:; style-src 'unsafe-inline'`, "cache-control": "no-store" },
    );
    return;
  }
  const url = new URL(flow.redirectUri);
  const qs = new URLSearchParams(all).toString();
  if (flow.responseMode === "fragment") url.hash = qs;
  else for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
  redirect(res, url.toString());
}

export function findRedirectApp(app: AppRegistration, requested: string | null): string | undefined {
  if (!requested) return app.redirectUris.length === 1 ? app.redirectUris[0] : undefined;
  return redirectUriMatches(app.redirectUris, requested) ? requested : undefined;
}

// ---- sign-in session cookie (per sandbox login port: cookies ignore ports, test sandboxes must not collide)

export function sessionCookieName(ctx: SandboxContext): string {
  return `sbx_session_${new URL(ctx.urls.loginUrl).port || "443"}`;
}

export function currentSession(ctx: SandboxContext, req: IncomingMessage, tenantId?: string): SignInSession | undefined {
  const name = sessionCookieName(ctx);
  const cookie = (req.headers.cookie ?? "").split(/;\s*/).find((c) => c.startsWith(`${name}=`));
  const id = cookie?.slice(name.length + 1);
  const s = id ? entraState(ctx).sessions.get(id) : undefined;
  if (!s) return undefined;
  const user = ctx.store.users.get(s.userId);
  if (!user || !user.accountEnabled) return undefined;
  if (tenantId && s.tenantId !== tenantId) return undefined;
  return s;
}

export function startSession(ctx: SandboxContext, res: ServerResponse, userId: string, tenantId: string): SignInSession {
  const id = randomBytes(24).toString("base64url");
  const s: SignInSession = { tenantId, userId, authTime: ctx.clock.now() };
  entraState(ctx).sessions.set(id, s);
  res.setHeader("set-cookie", `${sessionCookieName(ctx)}=${id}; Path=/; HttpOnly; Secure; SameSite=Lax`);
  return s;
}

export function endSession(ctx: SandboxContext, req: IncomingMessage, res: ServerResponse): void {
  const name = sessionCookieName(ctx);
  const cookie = (req.headers.cookie ?? "").split(/;\s*/).find((c) => c.startsWith(`${name}=`));
  if (cookie) entraState(ctx).sessions.delete(cookie.slice(name.length + 1));
  res.setHeader("set-cookie", `${name}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0`);
}
