import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "m365-sandbox/helpers";

// The portal's Graph layer (lib/graph) against the sandbox tenant, with the real MSAL and Graph SDK.
let sb: TestSandbox;

beforeAll(async () => {
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";
  sb = await startTestSandbox();
});
afterAll(async () => sb?.close());

async function access(credential: { secret?: string; certificate?: boolean } = {}) {
  const { toAccess } = await import("@/lib/graph/tenant-access");
  const { encryptSecret } = await import("@/lib/crypto");
  const e = sb.endpoints;
  const cert = credential.certificate;
  const id = `t-${randomBytes(4).toString("hex")}`;
  return toAccess({
    id, name: "Sandbox", cloud: "sandbox", directoryId: e.tenant.id, clientId: e.app.clientId,
    loginUrl: e.loginUrl, graphUrl: e.graphUrl, updatedAt: new Date(),
    credentialKind: cert ? "certificate" : "secret",
    credentialCipher: encryptSecret(cert ? readFileSync(e.app.privateKeyFile, "utf8") : (credential.secret ?? e.app.clientSecret), { purpose: "tenant-credential", rowId: id }),
    certificatePem: cert ? readFileSync(e.app.certificateFile, "utf8") : null,
    certThumbprint: cert ? e.app.thumbprintSha256 : null,
  });
}

describe("lib/graph against the sandbox tenant", () => {
  it("gets an app-only token with a client secret and with a certificate, and reads the granted roles", async () => {
    const { appToken, decodeClaims } = await import("@/lib/graph/tokens");
    for (const t of [await access(), await access({ certificate: true })]) {
      const { accessToken } = await appToken(t);
      const claims = decodeClaims(accessToken);
      expect(claims.roles).toEqual(expect.arrayContaining(["Mail.Send"]));
      expect(claims.tid).toBe(sb.endpoints.tenant.id);
    }
  });

  it("sends through the Graph SDK as an allowed mailbox (202) and the sandbox delivers it", async () => {
    const { appToken } = await import("@/lib/graph/tokens");
    const { graphClient } = await import("@/lib/graph/client");
    const t = await access();
    const subject = `core ${randomBytes(4).toString("hex")}`;
    await graphClient(t, async () => (await appToken(t)).accessToken)
      .api(`/users/${sb.endpoints.mailboxes.shared}/sendMail`)
      .post({ message: { subject, body: { contentType: "Text", content: "hi" }, toRecipients: [{ emailAddress: { address: sb.endpoints.mailboxes.allowed } }] } });
    const res = await sb.control<{ subject: string }[]>(`/messages?to=${encodeURIComponent(sb.endpoints.mailboxes.allowed)}`);
    expect(res.json.map((m) => m.subject)).toContain(subject);
  });

  it("explains a wrong client secret (AADSTS7000215) in words", async () => {
    const { appToken } = await import("@/lib/graph/tokens");
    await expect(appToken(await access({ secret: "wrong-secret" }))).rejects.toMatchObject({
      code: "AADSTS7000215",
      userMessage: expect.stringMatching(/^The client secret is wrong\./),
      details: expect.objectContaining({ aadsts: 7000215 }),
    });
  });

  it("explains a policy denial (403 Access to OData is disabled) and keeps the request-id", async () => {
    const { appToken } = await import("@/lib/graph/tokens");
    const { graphClient } = await import("@/lib/graph/client");
    const { toGraphAppError } = await import("@/lib/graph/errors");
    const t = await access();
    const sender = sb.endpoints.mailboxes.outsidePolicy;
    const err = await graphClient(t, async () => (await appToken(t)).accessToken)
      .api(`/users/${sender}/sendMail`)
      .post({ message: { subject: "x", body: { contentType: "Text", content: "x" }, toRecipients: [{ emailAddress: { address: sender } }] } })
      .catch((e: unknown) => toGraphAppError(e, { sender, restriction: "Graph Mail Senders" }));
    expect(err).toMatchObject({ code: "ErrorAccessDenied", details: expect.objectContaining({ httpStatus: 403, requestId: expect.stringMatching(/\S+/) }) });
    expect((err as { userMessage: string }).userMessage).toContain(`Add '${sender}' to Graph Mail Senders`);
  });
});
