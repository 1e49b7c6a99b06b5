/**
 * Directory reads (users, $filter on createdDateTime, paging, groups and members), delegated
 * /me/sendMail with a token from the auth code flow, and the control API / inbox view.
 */
import { CryptoProvider } from "@azure/msal-node";
import { Client, type GraphError, PageIterator } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PageDriver, startTestSandbox, TEST_REDIRECT_URI, type TestSandbox } from "./support";

const REDIRECT = TEST_REDIRECT_URI;
let sb: TestSandbox;
let app: Client;
const client = (token: string) =>
  Client.initWithMiddleware({ baseUrl: sb.endpoints.graphUrl, customHosts: new Set(["localhost"]), authProvider: { getAccessToken: async () => token } });

beforeAll(async () => {
  sb = await startTestSandbox();
  app = client(await sb.appTokenFor());
});
afterAll(async () => {
  await sb?.close();
});
beforeEach(async () => {
  await sb.control("/reset");
});

async function delegatedToken(userIndex: number, scopes = ["Mail.Send", "User.Read"]): Promise<string> {
  const pkce = await new CryptoProvider().generatePkceCodes();
  const msal = sb.msalApp();
  const url = await msal.getAuthCodeUrl({ scopes, redirectUri: REDIRECT, codeChallenge: pkce.challenge, codeChallengeMethod: "S256" });
  const user = sb.endpoints.users[userIndex]!;
  const back = await new PageDriver().signIn(url, user.upn, user.password);
  const r = await msal.acquireTokenByCode({ code: back.searchParams.get("code")!, scopes, redirectUri: REDIRECT, codeVerifier: pkce.verifier });
  return r.accessToken;
}

describe("users and groups", () => {
  it("lists users created in the last 7 days with $filter, $select and $top paging", async () => {
    const since = new Date(sb.ctx.clock.now() - 7 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
    const first = await app.api("/users").filter(`createdDateTime ge ${since}`).select("displayName,mail,createdDateTime,department").top(4).get();
    expect(first.value).toHaveLength(4);
    expect(Object.keys(first.value[0]).sort()).toEqual(["createdDateTime", "department", "displayName", "mail"]);
    expect(first["@odata.nextLink"]).toMatch(/\$skiptoken=/);
    const names: string[] = [];
    await new PageIterator(app, first, (u: { displayName: string }) => (names.push(u.displayName), true)).iterate();
    expect(names.sort()).toEqual(["Isaiah Langer", "Johanna Lorenz", "Lidia Holloway", "Lynne Robbins", "Miriam Graham", "Pradeep Gupta"]);
  });

  it("supports startswith/eq filters, default properties, $count, GET by UPN and 404s", async () => {
    const r = await app.api("/users").filter("startswith(displayName,'Le') or department eq 'IT'").get();
    expect(r.value.map((u: { displayName: string }) => u.displayName).sort()).toEqual(["Lee Gu", "Megan Bowen", "Nestor Wilke"]);
    expect(Object.keys(r.value[0])).toContain("userPrincipalName");
    expect(Object.keys(r.value[0])).not.toContain("createdDateTime");
    const counted = await app.api("/users").header("ConsistencyLevel", "eventual").query({ $count: "true" }).top(1).get();
    expect(counted["@odata.count"]).toBe(12);
    const u = await app.api(`/users/${sb.endpoints.mailboxes.allowed}`).get();
    expect(u.displayName).toBe("Adele Vance");
    const e = (await app.api("/users/ghost@nowhere.example").get().catch((x) => x)) as GraphError;
    expect([e.statusCode, e.code]).toEqual([404, "Request_ResourceNotFound"]);
    const bad = (await app.api("/users").filter("shoeSize eq 42").get().catch((x) => x)) as GraphError;
    expect([bad.statusCode, bad.code]).toEqual([400, "Request_UnsupportedQuery"]);
  });

  it("lists groups and (transitive) members", async () => {
    const groups = await app.api("/groups").filter(`mail eq '${sb.endpoints.group}'`).get();
    expect(groups.value).toHaveLength(1);
    const g = groups.value[0];
    expect([g.mailEnabled, g.securityEnabled, g.displayName]).toEqual([true, true, "Graph Mail Senders"]);
    const members = await app.api(`/groups/${g.id}/members`).get();
    expect(members.value.map((m: { mail: string }) => m.mail).sort()).toEqual([sb.endpoints.mailboxes.allowed, sb.endpoints.mailboxes.shared].sort());
  });

  it("needs a directory permission: 403 Authorization_RequestDenied without User.Read.All", async () => {
    sb.ctx.store.appRoleGrants = sb.ctx.store.appRoleGrants.filter((x) => x.value !== "User.Read.All");
    const e = (await client(await sb.appTokenFor()).api("/users").get().catch((x) => x)) as GraphError;
    expect([e.statusCode, e.code]).toEqual([403, "Authorization_RequestDenied"]);
  });
});

describe("delegated", () => {
  it("GET /me and POST /me/sendMail with a token from the auth code flow", async () => {
    const t = await delegatedToken(1);
    const me = await client(t).api("/me").get();
    expect(me.userPrincipalName).toBe(sb.endpoints.users[1]!.upn);
    await client(t).api("/me/sendMail").post({
      message: { subject: "Hi from me", body: { contentType: "Text", content: "x" }, toRecipients: [{ emailAddress: { address: `lee.gu@${sb.endpoints.tenant.domain}` } }] },
      saveToSentItems: false,
    });
    const got = await sb.control<{ from: { address: string }; via: { kind: string } }[]>(`/messages?to=lee.gu@${sb.endpoints.tenant.domain}`);
    expect(got.json.map((m) => [m.from.address, m.via.kind])).toEqual([[sb.endpoints.users[1]!.upn, "delegated"]]);
    expect((await sb.control<unknown[]>(`/messages?folder=sentitems`)).json).toHaveLength(0);
    // Delegated tokens send only as the signed-in user (SendAs is not modelled).
    const e = (await client(t).api(`/users/${sb.endpoints.mailboxes.shared}/sendMail`).post({ message: { toRecipients: [{ emailAddress: { address: "x@example.org" } }] } }).catch((x) => x)) as GraphError;
    expect([e.statusCode, e.code]).toEqual([403, "ErrorAccessDenied"]);
    const app403 = (await client(await sb.appTokenFor()).api("/me").get().catch((x) => x)) as GraphError;
    expect(app403.statusCode).toBe(400);
  });
});

describe("control API and inbox view", () => {
  it("escapes hostile mail and shows HTML bodies only inside a sandboxed srcdoc iframe", async () => {
    const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>"'`;
    await app.api(`/users/${sb.endpoints.mailboxes.shared}/sendMail`).post({
      message: {
        subject: evil,
        body: { contentType: "HTML", content: `<p>hi</p>${evil}` },
        toRecipients: [{ emailAddress: { address: "new.hire@example.org", name: evil } }],
        attachments: [{ "@odata.type": "#microsoft.graph.fileAttachment", name: `${evil}.html`, contentType: "text/html", contentBytes: Buffer.from(evil).toString("base64") }],
      },
    });
    const list = await fetch(`${sb.endpoints.inboxUrl}?mailbox=new.hire@example.org`);
    const listHtml = await list.text();
    expect(list.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(listHtml).not.toContain("<script>");
    const [m] = (await sb.control<{ id: string; attachments: { downloadUrl: string }[] }[]>("/messages?to=new.hire@example.org")).json;
    const view = await (await fetch(`${sb.endpoints.inboxUrl}/messages/${m!.id}`)).text();
    expect(view).not.toContain("<script>");
    expect(view).not.toContain("<img src=x");
    expect(view).toMatch(/<iframe sandbox srcdoc="&lt;p&gt;hi&lt;\/p&gt;&lt;script&gt;/);
    const dl = await fetch(m!.attachments[0]!.downloadUrl);
    expect(dl.headers.get("content-type")).toBe("application/octet-stream");
    expect(dl.headers.get("content-disposition")).toMatch(/^attachment;/);
    const del = await fetch(`${sb.endpoints.controlUrl}/messages`, { method: "DELETE" });
    expect(await del.json()).toEqual({ deleted: 2 });
    expect((await sb.control<unknown[]>("/messages?folder=all")).json).toEqual([]);
  });

  it("bounces unknown addresses in the tenant's domain with an NDR to the sender, after a 202", async () => {
    await app.api(`/users/${sb.endpoints.mailboxes.shared}/sendMail`).post({
      message: { subject: "Welcome", body: { contentType: "Text", content: "x" }, toRecipients: [{ emailAddress: { address: `nobody@${sb.endpoints.tenant.domain}` } }, { emailAddress: { address: "all-staff@" + sb.endpoints.tenant.domain } }] },
      saveToSentItems: false,
    });
    const ndr = (await sb.control<{ subject: string; body: { content: string } }[]>(`/messages?to=${sb.endpoints.mailboxes.shared}`)).json;
    expect(ndr.map((m) => m.subject)).toEqual(["Undeliverable: Welcome"]);
    expect(ndr[0]!.body.content).toContain("550 5.1.10");
    // The distribution group expanded to its 11 members.
    expect((await sb.control<unknown[]>("/messages?subject=Welcome")).json).toHaveLength(12);
  });
});
