/**
 * AADSTS errors through the real MSAL: each surfaces as ServerError with Microsoft's errorCode and
 * errorNo (error_codes[0]); the raw JSON keeps Microsoft's shape.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfidentialClientApplication, ServerError } from "@azure/msal-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSelfSignedCert } from "../src/certs";
import { GRAPH_DEFAULT, msalConfig, startTestSandbox, type TestSandbox } from "./support";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

async function serverError(p: Promise<unknown>): Promise<ServerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ServerError);
  return e as ServerError;
}

const cc = (app: ConfidentialClientApplication, scopes = [GRAPH_DEFAULT]) => app.acquireTokenByClientCredential({ scopes, skipCache: true });

describe("AADSTS errors surface as MSAL ServerError", () => {
  it("7000215 invalid_client for a wrong secret (e.g. the secret's id instead of its value)", async () => {
    const e = await serverError(cc(sb.msalApp({ secret: sb.ctx.store.apps.get(sb.endpoints.app.clientId)!.secrets[0]!.keyId })));
    expect(e.errorCode).toBe("invalid_client");
    expect(String(e.errorNo)).toBe("7000215");
    expect(e.status).toBe(401);
    expect(e.errorMessage).toContain("AADSTS7000215");
  });

  it("7000222 for an expired secret", async () => {
    const added = await sb.control<{ secretText: string }>(`/apps/${sb.endpoints.app.clientId}/secrets`, {
      displayName: "old",
      startDateTime: "2020-01-01T00:00:00Z",
      endDateTime: "2021-01-01T00:00:00Z",
    });
    expect(added.status).toBe(201);
    const e = await serverError(cc(sb.msalApp({ secret: added.json.secretText })));
    expect(e.errorCode).toBe("invalid_client");
    expect(String(e.errorNo)).toBe("7000222");
  });

  it("a secret expires on the sandbox clock", async () => {
    const added = await sb.control<{ secretText: string }>(`/apps/${sb.endpoints.app.clientId}/secrets`, {
      endDateTime: new Date(sb.ctx.clock.now() + 3600_000).toISOString(),
    });
    await expect(cc(sb.msalApp({ secret: added.json.secretText }))).resolves.toBeTruthy();
    expect((await sb.control("/clock", { advanceSeconds: 7200 })).status).toBe(200);
    try {
      const e = await serverError(cc(sb.msalApp({ secret: added.json.secretText })));
      expect(String(e.errorNo)).toBe("7000222");
    } finally {
      await sb.control("/clock", { reset: true });
    }
  });

  it("700016 unauthorized_client for an app that is not in the tenant", async () => {
    const e = await serverError(cc(sb.msalApp({ clientId: randomUUID() })));
    expect(e.errorCode).toBe("unauthorized_client");
    expect(String(e.errorNo)).toBe("700016");
    expect(e.status).toBe(400);
  });

  it("90002 invalid_tenant for an unknown tenant (token endpoint and discovery)", async () => {
    const tenant = randomUUID();
    const base = msalConfig(sb.endpoints, { tenant });
    // authorityMetadata skips discovery so the token endpoint itself answers (LIBRARY-NOTES).
    const authorityMetadata = JSON.stringify({
      token_endpoint: `${sb.endpoints.loginUrl}/${tenant}/oauth2/v2.0/token`,
      authorization_endpoint: `${sb.endpoints.loginUrl}/${tenant}/oauth2/v2.0/authorize`,
      issuer: `${sb.endpoints.loginUrl}/${tenant}/v2.0`,
      jwks_uri: `${sb.endpoints.loginUrl}/${tenant}/discovery/v2.0/keys`,
    });
    const e = await serverError(cc(new ConfidentialClientApplication({ ...base, auth: { ...base.auth, authorityMetadata } })));
    expect(e.errorCode).toBe("invalid_tenant");
    expect(String(e.errorNo)).toBe("90002");
    const res = await fetch(`${sb.endpoints.loginUrl}/${tenant}/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.error).toBe("invalid_tenant");
    expect(body.error_codes).toEqual([90002]);
    for (const k of ["timestamp", "trace_id", "correlation_id", "error_uri"]) expect(body[k]).toBeTruthy();
    expect(String(body.error_description)).toMatch(/^AADSTS90002: .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s);
  });

  it("700027 for an assertion signed with a certificate the app does not have", async () => {
    const other = makeSelfSignedCert("not registered");
    const e = await serverError(cc(sb.msalApp({ certificatePem: { certificate: other.certPem, privateKey: other.keyPem } })));
    expect(e.errorCode).toBe("invalid_client");
    expect(String(e.errorNo)).toBe("700027");
    expect(e.errorMessage).toContain("The key was not found");
  });

  it("700027 for an assertion naming the registered certificate but signed with another key", async () => {
    const other = makeSelfSignedCert("wrong key");
    const certificate = readFileSync(sb.endpoints.app.certificateFile, "utf8");
    const e = await serverError(cc(sb.msalApp({ certificatePem: { certificate, privateKey: other.keyPem } })));
    expect(String(e.errorNo)).toBe("700027");
    expect(e.errorMessage).toContain("signature validation");
  });

  it("70011 invalid_scope for a scope that does not exist; 1002012 for a client-credentials scope without /.default", async () => {
    const e1 = await serverError(cc(sb.msalApp(), ["https://graph.microsoft.com/Nope.Nothing"]));
    expect(e1.errorCode).toBe("invalid_scope");
    expect(String(e1.errorNo)).toBe("70011");
    const e2 = await serverError(cc(sb.msalApp(), ["https://graph.microsoft.com/Mail.Send"]));
    expect(e2.errorCode).toBe("invalid_scope");
    expect(String(e2.errorNo)).toBe("1002012");
  });

  it("issues a token without roles for an app that has no admin consent (Graph then answers 403)", async () => {
    const seeded = await sb.control<{ apps: { appId: string; secrets: { secretText: string }[] }[] }>("/seed", {
      apps: [{ displayName: "Unconsented app", applicationPermissions: ["Mail.Send"] }],
    });
    expect(seeded.status).toBe(201);
    const app = seeded.json.apps[0]!;
    const token = await sb.appTokenFor({ clientId: app.appId, secret: app.secrets[0]!.secretText });
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(claims.roles).toBeUndefined();
    expect(claims.appid).toBe(app.appId);
  });
});
