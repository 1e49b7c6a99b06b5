/**
 * AADSTS errors in the shape Entra's token endpoint returns (observed in public issues, e.g.
 * MicrosoftDocs/azure-docs#39189; learn "identity-platform/reference-error-codes"):
 *   { error, error_description: "AADSTSnnnn: …\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: yyyy-mm-dd hh:mm:ssZ",
 *     error_codes: [n], timestamp, trace_id, correlation_id, error_uri, suberror? }
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { SandboxContext } from "../context";
import { sendJson } from "../http";

export interface AadError {
  status: number;
  error: string;
  code: number;
  message: string;
  suberror?: string;
}

/** "2019-09-19 08:55:37Z", as Entra formats timestamps. */
export function aadTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

export function aadErrorBody(ctx: SandboxContext, e: AadError, correlationId?: string): Record<string, unknown> {
  const traceId = randomUUID();
  const corr = correlationId && /^[0-9a-f-]{36}$/i.test(correlationId) ? correlationId : randomUUID();
  const ts = aadTimestamp(ctx.clock.now());
  return {
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${corr}\r\nTimestamp: ${ts}`,
    error_codes: [e.code],
    timestamp: ts,
    trace_id: traceId,
    correlation_id: corr,
    // Real responses point at https://login.microsoftonline.com/error?code=n; the sandbox serves its own page.
    error_uri: `${ctx.urls.loginUrl}/error?code=${e.code}`,
    ...(e.suberror ? { suberror: e.suberror } : {}),
  };
}

export function sendAadError(ctx: SandboxContext, res: ServerResponse, e: AadError, correlationId?: string): void {
  sendJson(res, e.status, aadErrorBody(ctx, e, correlationId), { "cache-control": "no-store", pragma: "no-cache" });
}

/** Thrown inside the token endpoint and turned into the JSON answer at the top. */
export class AadException extends Error {
  constructor(public readonly aad: AadError) {
    super(`AADSTS${aad.code}: ${aad.message}`);
  }
}

const fail = (status: number, error: string, code: number, message: string, suberror?: string): AadException =>
  new AadException({ status, error, code, message, ...(suberror ? { suberror } : {}) });

/** The catalogue (wording from learn "reference-error-codes" and observed responses). */
export const AAD = {
  tenantNotFound: (tenant: string) =>
    fail(400, "invalid_tenant", 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`),
  appNotFound: (appId: string, tenant: string) =>
    fail(400, "unauthorized_client", 700016, `Application with identifier '${appId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`),
  badSecret: (appId: string) =>
    fail(401, "invalid_client", 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`),
  expiredSecret: (appId: string) =>
    fail(401, "invalid_client", 7000222, `The provided client secret keys for app '${appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`),
  noCredential: () =>
    fail(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  badAssertion: (detail: string) => fail(401, "invalid_client", 700027, detail),
  badScope: (detail: string) => fail(400, "invalid_scope", 70011, detail),
  /** Observed since 2021 for client credentials with a scope that is not "<resource>/.default". */
  notDefaultScope: (scope: string) =>
    fail(400, "invalid_scope", 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`),
  unknownResource: (resource: string, tenant: string) =>
    fail(400, "invalid_resource", 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`),
  noConsent: (appId: string, name: string) =>
    fail(400, "invalid_grant", 65001, `The user or administrator has not consented to use the application with ID '${appId}' named '${name}'. Send an interactive authorization request for this user and resource.`, "consent_required"),
  pkceMismatch: () => fail(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."),
  codeRedeemed: () =>
    fail(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."),
  codeExpired: () => fail(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."),
  badCode: () => fail(400, "invalid_grant", 70000, "The provided value for the 'code' parameter is not valid."),
  badRefresh: () => fail(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."),
  refreshRevoked: () => fail(400, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."),
  refreshExpired: () => fail(400, "invalid_grant", 700082, "The refresh token has expired due to inactivity. The token was issued on a date and was inactive for 90 days."),
  redirectMismatch: (appId: string) =>
    fail(400, "invalid_request", 50011, `The redirect URI specified in the request does not match the redirect URIs configured for the application '${appId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`),
  missingParam: (name: string) => fail(400, "invalid_request", 900144, `The request body must contain the following parameter: '${name}'.`),
  unsupportedGrant: (grant: string) => fail(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant}'.`),
  userDisabled: () => fail(400, "invalid_grant", 50057, "The user account is disabled."),
};
