/**
 * Confidential-client authentication at the token endpoint (learn "certificate-credentials",
 * "v2-oauth2-client-creds-grant-flow"): a client secret, or a client assertion JWT signed with
 * the private key of a certificate uploaded to the app registration.
 *   PS256 + header x5t#S256 (SHA-256 thumbprint): what MSAL sends for `thumbprintSha256`.
 *   RS256 + header x5t (SHA-1 thumbprint): the older form, MSAL's deprecated `thumbprint`.
 * Claims: aud = this token endpoint, iss = sub = client id, exp (and nbf), jti — a jti is accepted
 * once while the assertion is valid (Entra rejects replays; the sandbox does the same).
 */
import { X509Certificate } from "node:crypto";
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from "jose";
import type { SandboxContext } from "../context";
import type { AppRegistration } from "../model";
import { AAD, AadException } from "./errors";
import { entraState } from "./state";
import type { ClientAuthMethod } from "./tokens";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

const assertionFail = (msg: string) => new AadException({ status: 401, error: "invalid_client", code: 700027, message: msg });

export async function authenticateClient(
  ctx: SandboxContext,
  app: AppRegistration,
  form: URLSearchParams,
  /** Accepted assertion audiences: the token endpoint under each name of the tenant (first = the one called). */
  tokenEndpoints: string[],
): Promise<ClientAuthMethod> {
  const secret = form.get("client_secret");
  const assertion = form.get("client_assertion");
  if (assertion) {
    if (form.get("client_assertion_type") !== JWT_BEARER) {
      throw new AadException({ status: 400, error: "invalid_request", code: 50027, message: "Invalid client_assertion_type. The only supported value is 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'." });
    }
    await verifyAssertion(ctx, app, assertion, tokenEndpoints);
    return "certificate";
  }
  if (secret) {
    verifySecret(ctx, app, secret);
    return "secret";
  }
  throw AAD.noCredential();
}

function verifySecret(ctx: SandboxContext, app: AppRegistration, secret: string): void {
  const match = app.secrets.find((s) => s.secretText === secret);
  if (!match) {
    // A secret's id (keyId) pasted instead of its value is the classic mistake the wording points at.
    throw AAD.badSecret(app.appId);
  }
  const now = ctx.clock.now();
  if (Date.parse(match.endDateTime) <= now) throw AAD.expiredSecret(app.appId);
  // A secret whose startDateTime is in the future is not valid yet; Entra answers as for a wrong secret.
  if (Date.parse(match.startDateTime) > now) throw AAD.badSecret(app.appId);
}

/**
 * A thumbprint header as bytes. MSAL for JavaScript sends base64url without padding; MSAL for Python sends
 * base64url with `=` padding, and Entra accepts both (it is Microsoft's own library), so thumbprints are
 * compared as the bytes they encode, never as strings. Standard-alphabet base64 decodes the same way.
 */
function thumbprintBytes(header: string): Buffer {
  return Buffer.from(header.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"), "base64url");
}

async function verifyAssertion(ctx: SandboxContext, app: AppRegistration, assertion: string, tokenEndpoints: string[]): Promise<void> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw new AadException({ status: 401, error: "invalid_client", code: 50027, message: "JWT token is invalid or malformed." });
  }
  const x5tS256 = typeof header["x5t#S256"] === "string" ? header["x5t#S256"] : undefined;
  const x5t = typeof header.x5t === "string" ? header.x5t : undefined;
  const alg = header.alg;
  if (alg !== "PS256" && alg !== "RS256") throw assertionFail(`Client assertion contains an invalid signature. [Reason - The algorithm '${String(alg)}' is not supported.]`);
  const s256 = x5tS256 === undefined ? undefined : thumbprintBytes(x5tS256);
  const s1 = x5t === undefined ? undefined : thumbprintBytes(x5t);
  const cert = app.certificates.find((c) => (s256 && s256.equals(thumbprintBytes(c.x5tS256))) || (s1 && s1.equals(thumbprintBytes(c.x5t))));
  const thumbHex = (s256 ?? s1 ?? Buffer.alloc(0)).toString("hex").toUpperCase();
  if (!cert) {
    // Wording observed in real responses for an unregistered key.
    throw assertionFail(
      `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${thumbHex}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.appId}'.]`,
    );
  }
  const now = ctx.clock.now();
  if (Date.parse(cert.endDateTime) <= now || Date.parse(cert.startDateTime) > now) {
    throw assertionFail(`Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '${thumbHex}', Found key 'Start=${cert.startDateTime}, End=${cert.endDateTime}']`);
  }
  const publicKey = new X509Certificate(cert.pem).publicKey;
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(assertion, publicKey, { algorithms: [alg], currentDate: new Date(now), clockTolerance: 300 }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired || (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === "nbf")) {
      throw new AadException({ status: 401, error: "invalid_client", code: 700024, message: "Client assertion is not within its valid time range." });
    }
    throw assertionFail("Client assertion failed signature validation.");
  }
  if (typeof payload.exp !== "number") {
    throw new AadException({ status: 401, error: "invalid_client", code: 700024, message: "Client assertion is not within its valid time range." });
  }
  if (payload.iss !== app.appId || payload.sub !== app.appId) {
    throw new AadException({ status: 401, error: "invalid_client", code: 700021, message: "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials ." });
  }
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!aud.some((a) => typeof a === "string" && tokenEndpoints.some((t) => sameEndpoint(a, t)))) {
    // Entra rejects an aud other than the token endpoint it was sent to; exact wording unconfirmed.
    throw assertionFail(`Client assertion audience claim does not match the token endpoint '${tokenEndpoints[0] ?? ""}'.`);
  }
  const jti = typeof payload.jti === "string" ? payload.jti : undefined;
  if (jti) {
    const seen = entraState(ctx).assertionIds;
    const key = `${app.appId}|${jti}`;
    if (seen.has(key)) throw assertionFail("The client assertion was already used (jti replay).");
    seen.set(key, (payload.exp as number) * 1000 + 300_000);
  }
}

/** The token endpoint URL compared without query and trailing slash, case-insensitively on the tenant segment. */
function sameEndpoint(a: string, b: string): boolean {
  const norm = (s: string) => s.split("?")[0]!.replace(/\/$/, "").toLowerCase();
  return norm(a) === norm(b);
}
