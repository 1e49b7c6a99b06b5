import { randomBytes } from "node:crypto";
import { CryptoProvider } from "@azure/msal-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PageDriver, type TestSandbox } from "m365-sandbox/helpers";
import { entraState } from "m365-sandbox/internal/entra/state";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { expectSealed } from "../support/sealed";

// Delegated sending: a person's refresh token (from a real sign-in through the sandbox's pages, redeemed
// by MSAL) is stored encrypted, refreshed by the outbox with acquireTokenByRefreshToken, rotated, and an
// expired or revoked grant becomes "sign in with Microsoft again".
const REDIRECT = "http://localhost:3000/api/auth/callback/microsoft";
let sb: TestSandbox;
let env: PortalEnv;
let tenantId: string;
let person: { id: string; name: string; email: string; role: "sender"; tenantId: string | null };

beforeAll(async () => {
  env = await startPortalEnv("delegated");
  sb = env.sb;
  tenantId = env.tenantId;
  const { db } = await import("@/lib/db");
  const e = sb.endpoints;
  const upn = e.users[1]!.upn;
  const u = await db().user.create({ data: { email: upn, name: "Adele", role: "sender", tenantId } });
  person = { id: u.id, name: "Adele", email: upn, role: "sender", tenantId };
});

afterAll(async () => env?.close());

/** Signs the person in through the sandbox's pages and stores the refresh token as the portal's sign-in does. */
async function signIn(scopes = ["openid", "profile", "offline_access", "User.Read", "Mail.Send"]): Promise<string> {
  const user = sb.endpoints.users[1]!;
  const pkce = await new CryptoProvider().generatePkceCodes();
  const msal = sb.msalApp();
  const url = await msal.getAuthCodeUrl({ scopes, redirectUri: REDIRECT, state: "s", nonce: "n", codeChallenge: pkce.challenge, codeChallengeMethod: "S256" });
  const back = await new PageDriver().signIn(url, user.upn, user.password);
  const r = await msal.acquireTokenByCode({ code: back.searchParams.get("code")!, scopes, redirectUri: REDIRECT, codeVerifier: pkce.verifier, nonce: "n" });
  const cache = JSON.parse(msal.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
  const rt = Object.values(cache.RefreshToken)[0]!.secret;
  const { db } = await import("@/lib/db");
  const { storeRefreshToken } = await import("@/lib/auth/store-refresh-token");
  await db().account.deleteMany({ where: { userId: person.id } });
  await storeRefreshToken({ userId: person.id, provider: `microsoft:${tenantId}`, providerAccountId: r!.uniqueId, refreshToken: rt });
  return rt;
}

async function sendAndRun(subject: string) {
  const { queueSend } = await import("@/lib/sends/queue-send");
  const { claimSends } = await import("@/lib/outbox/claim");
  const { processSend } = await import("@/lib/outbox/process-send");
  const { outboxOptions } = await import("@/lib/outbox/options");
  const { getSendStatus } = await import("@/lib/sends/send-status");
  const { id } = await queueSend({ actor: person, tenantId, mode: "delegated", from: person.email, to: sb.endpoints.mailboxes.allowed, subject, body: "Hi, it's me." });
  const o = outboxOptions({ timeoutMs: 20_000 });
  for (const claimed of await claimSends("w-del", { limit: 5, leaseMs: 30_000, pace: o.pace, only: id })) await processSend(claimed.id, claimed.lease, o);
  return getSendStatus(person, id);
}

describe("delegated sending", () => {
  it("refreshes the token from the stored refresh token, keeps the rotated one encrypted, and sends as the person via /me", async () => {
    const rt = await signIn();
    const subject = `as me ${randomBytes(3).toString("hex")}`;
    const s = await sendAndRun(subject);
    expect(s.status).toBe("accepted");
    expect(s.attempts).toEqual([expect.objectContaining({ operation: "sendMail", httpStatus: 202 })]);
    const msgs = await sb.control<{ subject: string; from: unknown }[]>(`/messages?to=${encodeURIComponent(sb.endpoints.mailboxes.allowed)}&subject=${encodeURIComponent(subject)}`);
    expect(JSON.stringify(msgs.json.find((m) => m.subject === subject)?.from)).toContain(person.email);
    const { db } = await import("@/lib/db");
    const { decryptSecret } = await import("@/lib/crypto");
    const acct = await db().account.findFirstOrThrow({ where: { userId: person.id }, select: { id: true, refreshTokenCipher: true } });
    const binding = { purpose: "refresh-token", rowId: acct.id };
    expect(decryptSecret(acct.refreshTokenCipher!, binding)).not.toBe(rt); // rotated
    expectSealed(acct.refreshTokenCipher!, rt, (key) => decryptSecret(acct.refreshTokenCipher!, binding, { current: key }));
  });

  it("a revoked grant fails the send with 'sign in with Microsoft again', not an error page", async () => {
    await signIn();
    const { delegatedToken } = await import("@/lib/graph/delegated-token");
    const { loadTenantAccess } = await import("@/lib/graph/tenant-access");
    expect((await sb.control(`/users/${encodeURIComponent(person.email)}/revoke-sessions`, {})).status).toBe(200);
    await expect(delegatedToken(await loadTenantAccess(tenantId), person.id, { skipCache: true })).rejects.toMatchObject({ code: "AADSTS50173", status: 409, userMessage: expect.stringMatching(/Sign in with Microsoft again/) });
    // The send itself: queued, tried by the outbox, failed with the same advice, and nothing delivered.
    const subject = `revoked ${randomBytes(3).toString("hex")}`;
    const s = await sendAndRun(subject);
    expect(s).toMatchObject({ status: "failed", errorCode: "AADSTS50173", explanation: { action: "Sign in with Microsoft again to keep sending as yourself." } });
    expect(s.attempts).toEqual([expect.objectContaining({ operation: "token", graphCode: "AADSTS50173", outcome: "failed", httpStatus: null })]);
    const msgs = await sb.control<{ subject: string }[]>(`/messages?to=${encodeURIComponent(sb.endpoints.mailboxes.allowed)}&subject=${encodeURIComponent(subject)}`);
    expect(msgs.json.filter((m) => m.subject === subject)).toEqual([]);
  });

  it("two concurrent refreshes share one: one rotated token issued and stored; a second refresh with the rotated token works and stores the next", async () => {
    await signIn();
    const { delegatedToken } = await import("@/lib/graph/delegated-token");
    const { loadTenantAccess } = await import("@/lib/graph/tenant-access");
    const { db } = await import("@/lib/db");
    const { decryptSecret } = await import("@/lib/crypto");
    const issued = () => [...entraState(sb.ctx).refreshTokens.keys()];
    const stored = async () => {
      const a = await db().account.findFirstOrThrow({ where: { userId: person.id }, select: { id: true, refreshTokenCipher: true } });
      return decryptSecret(a.refreshTokenCipher!, { purpose: "refresh-token", rowId: a.id });
    };
    const t = await loadTenantAccess(tenantId);

    const before = issued();
    const [x, y] = await Promise.all([delegatedToken(t, person.id, { skipCache: true }), delegatedToken(t, person.id, { skipCache: true })]);
    expect(x).toBe(y);
    const first = issued().filter((k) => !before.includes(k));
    expect(first).toHaveLength(1); // one refresh for both callers
    expect(await stored()).toBe(first[0]);

    // The stored token is now the rotated one: refreshing again redeems it and stores the next.
    const afterFirst = issued();
    await delegatedToken(t, person.id, { skipCache: true });
    const second = issued().filter((k) => !afterFirst.includes(k));
    expect(second).toHaveLength(1);
    expect(await stored()).toBe(second[0]);

    // And the outbox sends with it.
    const s = await sendAndRun(`after rotation ${randomBytes(3).toString("hex")}`);
    expect(s.status).toBe("accepted");
  });

  it("without a stored grant, the send is refused up front with the same advice", async () => {
    const { db } = await import("@/lib/db");
    await db().account.deleteMany({ where: { userId: person.id } });
    const { queueSend } = await import("@/lib/sends/queue-send");
    await expect(queueSend({ actor: person, tenantId, mode: "delegated", from: person.email, to: sb.endpoints.mailboxes.allowed, subject: "x" })).rejects.toMatchObject({ code: "invalid_grant", userMessage: expect.stringMatching(/Sign in with Microsoft again/) });
  });

  it("large attachments: the sign-in asks for delegated Mail.ReadWrite, so the draft + upload session works; without it Graph refuses the draft", async () => {
    const { db } = await import("@/lib/db");
    const { signInScopes } = await import("@/lib/auth/sign-in-scopes");
    const { delegatedToken } = await import("@/lib/graph/delegated-token");
    const { loadTenantAccess } = await import("@/lib/graph/tenant-access");
    const { saveUpload } = await import("@/lib/sends/upload-store");
    const { queueSend } = await import("@/lib/sends/queue-send");
    const { claimSends } = await import("@/lib/outbox/claim");
    const { processSend } = await import("@/lib/outbox/process-send");
    const { outboxOptions } = await import("@/lib/outbox/options");
    const { getSendStatus } = await import("@/lib/sends/send-status");
    await db().tenant.update({ where: { id: tenantId }, data: { largeAttachments: true } });
    expect(signInScopes(true, false).split(" ")).not.toContain("Mail.ReadWrite");
    expect(signInScopes(true, true).split(" ")).toContain("Mail.ReadWrite");
    const bigSend = async () => {
      // A fresh token after each sign-in (the cache would hand back one from before).
      await delegatedToken(await loadTenantAccess(tenantId), person.id, { skipCache: true });
      const bytes = randomBytes(4 * 1024 * 1024);
      const up = await saveUpload({ ownerId: person.id, name: "big.bin", contentType: "application/octet-stream", body: (async function* () { yield bytes; })() });
      const subject = `large as me ${randomBytes(3).toString("hex")}`;
      const { id } = await queueSend({ actor: person, tenantId, mode: "delegated", from: person.email, to: sb.endpoints.mailboxes.allowed, subject, body: "Big.", attachments: [{ id: up.id }] });
      const o = outboxOptions({ timeoutMs: 20_000 });
      for (const claimed of await claimSends("w-del-big", { limit: 5, leaseMs: 30_000, pace: o.pace, only: id })) await processSend(claimed.id, claimed.lease, o);
      return getSendStatus(person, id);
    };
    // A tenant whose app was registered before the portal asked for delegated Mail.ReadWrite (the demo app now
    // lists it): take it out of the tenant-wide delegated grant.
    const all = sb.ctx.store.delegatedGrants.find((g) => g.appId === sb.endpoints.app.clientId && g.consentType === "AllPrincipals")!;
    all.scopes = all.scopes.filter((x) => x !== "Mail.ReadWrite");
    // The sign-in as it was (Mail.Send only): a delegated token without Mail.ReadWrite — the draft is refused as Graph does.
    await signIn(signInScopes(true, false).split(" "));
    const refused = await bigSend();
    expect(refused.status).toBe("failed");
    expect(refused.attempts[0]).toMatchObject({ operation: "createDraft", httpStatus: 403, graphCode: "ErrorAccessDenied" });
    // The portal's sign-in for a tenant with large attachments asks for Mail.ReadWrite: the person consents, the send goes.
    await signIn(signInScopes(true, true).split(" "));
    const sent = await bigSend();
    expect(sent.status, JSON.stringify(sent.attempts)).toBe("accepted");
    expect(sent.attempts.map((a) => a.operation)).toEqual(expect.arrayContaining(["createDraft", "createUploadSession", "upload", "send"]));
  });
});
