/** registerEntraRoutes: the login host's Entra ID endpoints (learn "identity-platform/v2-protocols"). */
import type { SandboxContext } from "../context";
import { esc, sendHtml, type Router } from "../http";
import { jwks, openidConfiguration } from "./discovery";
import { handleToken } from "./token-endpoint";

export function registerEntraRoutes(router: Router, ctx: SandboxContext): void {
  router.on("GET", "/:tenant/v2.0/.well-known/openid-configuration", (c) => openidConfiguration(ctx, c));
  router.on("GET", "/:tenant/discovery/v2.0/keys", (c) => jwks(ctx, c));
  router.on("POST", "/:tenant/oauth2/v2.0/token", (c) => handleToken(ctx, c));
  // error_uri in AADSTS answers points here (Entra's points at login.microsoftonline.com/error).
  router.on("GET", "/error", (c) => {
    const code = c.url.searchParams.get("code") ?? "";
    sendHtml(c.res, 200, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AADSTS${esc(code)}</title></head><body><main><h1>Error AADSTS${esc(code)}</h1><p>This is the sandbox tenant. Look the code up on Microsoft Learn: "Microsoft Entra authentication and authorization error codes".</p></main></body></html>`);
  });
}
