/** Client credentials against the sandbox with the real MSAL: secret, certificate (PS256/x5t#S256) and SHA-1 (RS256/x5t). */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "./support";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
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
