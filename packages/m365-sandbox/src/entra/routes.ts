/** registerEntraRoutes: the login host's Entra ID endpoints (learn "identity-platform/v2-protocols"). */
import type { SandboxContext } from "../context";
import { esc, sendHtml, type Router } from "../http";
import { handleAdminConsentGet } from "./admin-consent";
import { handleAuthorizeGet, handleFlowPost } from "./authorize";
import { jwks, openidConfiguration } from "./discovery";
import { endSession, redirectUriMatches } from "./redirects";
import { signedOutPage } from "./pages";
import { handleToken } from "./token-endpoint";

export function registerEntraRoutes(router: Router, ctx: SandboxContext): void {
  router.on("GET", "/:tenant/v2.0/.well-known/openid-configuration", (c) => openidConfiguration(ctx, c));
  router.on("GET", "/:tenant/discovery/v2.0/keys", (c) => jwks(ctx, c));
  router.on("POST", "/:tenant/oauth2/v2.0/token", (c) => handleToken(ctx, c));
  router.on("GET", "/:tenant/oauth2/v2.0/authorize", (c) => handleAuthorizeGet(ctx, c));
  router.on("POST", "/:tenant/oauth2/v2.0/authorize", (c) => handleFlowPost(ctx, c));
  for (const p of ["/:tenant/v2.0/adminconsent", "/:tenant/adminconsent"]) {
    router.on("GET", p, (c) => handleAdminConsentGet(ctx, c));
    router.on("POST", p, (c) => handleFlowPost(ctx, c));
  }
  // Sign-out ends the sandbox session; it only follows post_logout_redirect_uri when that is a
  // registered redirect URI of some app (no open redirect), otherwise it shows a page.
  router.on("GET", "/:tenant/oauth2/v2.0/logout", (c) => {
    endSession(ctx, c.req, c.res);
    const target = c.url.searchParams.get("post_logout_redirect_uri");
    const known = target && [...ctx.store.apps.values()].some((a) => redirectUriMatches(a.redirectUris, target) || a.redirectUris.some((r) => URL.canParse(r) && new URL(r).origin === (URL.canParse(target) ? new URL(target).origin : "")));
    if (target && known) {
      c.res.writeHead(302, { location: target, "cache-control": "no-store" }).end();
      return;
    }
    sendHtml(c.res, 200, signedOutPage());
  });
  // error_uri in AADSTS answers points here (Entra's points at login.microsoftonline.com/error).
  router.on("GET", "/error", (c) => {
    const code = c.url.searchParams.get("code") ?? "";
    sendHtml(c.res, 200, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AADSTS${esc(code)}</title></head><body><main><h1>Error AADSTS${esc(code)}</h1><p>This is the sandbox tenant. Look the code up on Microsoft Learn: "Microsoft Entra authentication and authorization error codes".</p></main></body></html>`);
  });
}
