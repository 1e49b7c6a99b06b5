/**
 * OpenID Connect discovery and signing keys (learn "v2-protocols-oidc"):
 *   GET /{tenant}/v2.0/.well-known/openid-configuration
 *   GET /{tenant}/discovery/v2.0/keys   (and /common/discovery/v2.0/keys)
 * The document mirrors Entra's field for field; URLs point at the sandbox hosts. MSAL v7 checks
 * that `issuer` has the authority's scheme, host and port (LIBRARY-NOTES); next-auth checks it exactly.
 */
import type { SandboxContext } from "../context";
import { sendJson, type Ctx } from "../http";
import { findTenant, MULTI_TENANT_SEGMENTS } from "./directory";
import { AAD, sendAadError } from "./errors";

export function openidConfiguration(ctx: SandboxContext, c: Ctx): void {
  const seg = c.params.tenant ?? "";
  const multi = MULTI_TENANT_SEGMENTS.includes(seg.toLowerCase());
  const tenant = multi ? undefined : findTenant(ctx.store, seg);
  if (!multi && !tenant) return sendAadError(ctx, c.res, AAD.tenantNotFound(seg).aad);
  // Entra answers with the tenant GUID in every URL when asked by domain; "{tenantid}" for common/organizations.
  const tid = tenant ? tenant.id : "{tenantid}";
  const pathSeg = tenant ? tenant.id : seg.toLowerCase();
  const base = ctx.urls.loginUrl;
  sendJson(
    c.res,
    200,
    {
      token_endpoint: `${base}/${pathSeg}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/${pathSeg}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${base}/${tid}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${ctx.urls.graphUrl}/oidc/userinfo`,
      authorization_endpoint: `${base}/${pathSeg}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/${pathSeg}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/${pathSeg}/oauth2/v2.0/logout`,
      claims_supported: ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
      kerberos_endpoint: `${base}/${pathSeg}/kerberos`,
      tenant_region_scope: tenant ? "EU" : null,
      cloud_instance_name: "microsoftonline.com",
      cloud_graph_host_name: "graph.windows.net",
      msgraph_host: new URL(ctx.urls.graphUrl).host,
      rbac_url: "https://pas.windows.net",
    },
    { "cache-control": "max-age=86400, private", "access-control-allow-origin": "*" },
  );
}

export function jwks(ctx: SandboxContext, c: Ctx): void {
  const seg = c.params.tenant ?? "";
  const multi = MULTI_TENANT_SEGMENTS.includes(seg.toLowerCase());
  const tenant = multi ? undefined : findTenant(ctx.store, seg);
  if (!multi && !tenant) return sendAadError(ctx, c.res, AAD.tenantNotFound(seg).aad);
  const issuer = `${ctx.urls.loginUrl}/${tenant ? tenant.id : "{tenantid}"}/v2.0`;
  sendJson(c.res, 200, { keys: [{ ...ctx.signing.publicJwk, issuer }] }, { "cache-control": "max-age=86400, private", "access-control-allow-origin": "*" });
}
