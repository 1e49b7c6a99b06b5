/** Client credentials against the sandbox with the real MSAL: secret, certificate (PS256/x5t#S256) and SHA-1 (RS256/x5t). */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { SignJWT, decodeJwt, decodeProtectedHeader, importPKCS8 } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "./support";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

const tokenWith = (assertion: string) =>
  fetch(`${sb.endpoints.authority}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: sb.endpoints.app.clientId,
      scope: "https://graph.microsoft.com/.default",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
    }).toString(),
  });

describe("client credentials", () => {
  it("issues an app-only Graph token with the consented roles for a client secret", async () => {
    const token = await sb.appTokenFor();
    const claims = decodeJwt(token);
    expect(claims.aud).toBe("https://graph.microsoft.com");
    expect(claims.iss).toBe(`https://sts.windows.net/${sb.endpoints.tenant.id}/`);
    expect(claims.tid).toBe(sb.endpoints.tenant.id);
    expect(claims.appid).toBe(sb.endpoints.app.clientId);
    expect(claims.idtyp).toBe("app");
    expect(claims.appidacr).toBe("1");
    const granted = sb.ctx.store.appRoleGrants.filter((g) => g.appId === sb.endpoints.app.clientId).map((g) => g.value);
    expect(granted).toEqual(expect.arrayContaining(["Mail.Send", "Mail.ReadWrite"]));
    expect((claims.roles as string[]).sort()).toEqual([...new Set(granted)].sort());
    expect((claims.exp as number) - (claims.iat as number)).toBe(3599);
    const verified = await sb.ctx.verifyGraphToken(`Bearer ${token}`);
    expect(verified.ok).toBe(true);
  });

  it("accepts a certificate assertion signed PS256 with x5t#S256", async () => {
    const token = await sb.appTokenFor({ certificate: "sha256" });
    expect(decodeJwt(token).appidacr).toBe("2");
    expect(decodeProtectedHeader(token).alg).toBe("RS256");
  });

  it("accepts the deprecated SHA-1 thumbprint (RS256 with x5t)", async () => {
    const token = await sb.appTokenFor({ certificate: "sha1" });
    expect(decodeJwt(token).appidacr).toBe("2");
  });

  it("resolves the authority by the tenant's domain as well as its id", async () => {
    const token = await sb.appTokenFor({ tenant: sb.endpoints.tenant.domain });
    expect(decodeJwt(token).tid).toBe(sb.endpoints.tenant.id);
  });
});

describe("client authentication methods", () => {
  it("accepts client_secret_basic (Authorization: Basic, as openid-client/next-auth send it)", async () => {
    const { clientId, clientSecret } = sb.endpoints.app;
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64");
    const res = await fetch(`${sb.endpoints.authority}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", scope: "https://graph.microsoft.com/.default" }).toString(),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(3599);
    expect(body.refresh_token).toBeUndefined();
  });

  it("accepts thumbprint headers with base64 padding, as MSAL for Python sends them, and compares them as bytes", async () => {
    const key = await importPKCS8(readFileSync(sb.endpoints.app.privateKeyFile, "utf8"), "RS256");
    const sha1 = Buffer.from(sb.endpoints.app.thumbprint, "hex");
    const assertionWith = (header: Record<string, string>, alg: "RS256" | "PS256" = "RS256") =>
      new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg, typ: "JWT", ...header })
        .setIssuer(sb.endpoints.app.clientId)
        .setSubject(sb.endpoints.app.clientId)
        .setAudience(`${sb.endpoints.authority}/oauth2/v2.0/token`)
        .setIssuedAt()
        .setNotBefore("0s")
        .setExpirationTime("10m")
        .sign(key);
    const padded = sha1.toString("base64");
    expect(padded.endsWith("=")).toBe(true);
    const ok = await tokenWith(await assertionWith({ x5t: padded.replace(/\+/g, "-").replace(/\//g, "_") }));
    expect(ok.status).toBe(200);
    // A thumbprint of other bytes is still "The key was not found", whatever its encoding.
    const other = Buffer.from(sha1);
    other.writeUInt8(other.readUInt8(0) ^ 0xff, 0);
    const refused = await tokenWith(await assertionWith({ x5t: other.toString("base64") }));
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error_description: string }).error_description).toContain(`The key was not found., Thumbprint of key used by client: '${other.toString("hex").toUpperCase()}'`);
  });

  it("rejects a replayed client assertion (same jti)", async () => {
    // The assertion is built by hand (same claims MSAL sends) so the very same JWT can be sent twice.
    const send = (a: string) =>
      fetch(`${sb.endpoints.authority}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: sb.endpoints.app.clientId,
          scope: "https://graph.microsoft.com/.default",
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: a,
        }).toString(),
      });
    const key = await importPKCS8(readFileSync(sb.endpoints.app.privateKeyFile, "utf8"), "PS256");
    const x5tS256 = Buffer.from(sb.endpoints.app.thumbprintSha256, "hex").toString("base64url");
    const assertion = await new SignJWT({ jti: "same-jti" })
      .setProtectedHeader({ alg: "PS256", typ: "JWT", "x5t#S256": x5tS256 })
      .setIssuer(sb.endpoints.app.clientId)
      .setSubject(sb.endpoints.app.clientId)
      .setAudience(`${sb.endpoints.authority}/oauth2/v2.0/token`)
      .setIssuedAt()
      .setNotBefore("0s")
      .setExpirationTime("10m")
      .sign(key);
    expect((await send(assertion)).status).toBe(200);
    const replay = await send(assertion);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error_codes: number[] }).error_codes).toEqual([700027]);
  });
});
