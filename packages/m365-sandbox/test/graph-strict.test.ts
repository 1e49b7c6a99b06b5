/**
 * The sandbox refuses what Graph refuses, through the REAL Graph SDK: /me with an app-only token,
 * request bodies checked against the v1.0 CSDL types (unknown properties, attachments without
 * "@odata.type", unresolvable types, bad base64), the 4 MB request limit as sent, and MIME sending
 * (sendMail and draft creation with Content-Type text/plain and a base64 RFC 5322 message).
 */
import { Client, GraphError, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import PostalMime from "postal-mime";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestSandbox, type DeliveredJson, type TestSandbox } from "./support";

let sb: TestSandbox;
let token: string;
const d = () => sb.endpoints.tenant.domain;
const shared = () => sb.endpoints.mailboxes.shared;

function graph(): Client {
  return Client.initWithMiddleware({
    baseUrl: sb.endpoints.graphUrl,
    defaultVersion: "v1.0",
    customHosts: new Set(["localhost"]),
    authProvider: { getAccessToken: async () => token },
  });
}
const noRetry = () => [new RetryHandlerOptions(0, 0)];

async function graphError(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GraphError) return e;
    throw e;
  }
  throw new Error("expected a GraphError");
}
const shape = (e: GraphError) => [e.statusCode, e.code, e.message];

async function delivered(q: string): Promise<DeliveredJson[]> {
  const r = await sb.control<DeliveredJson[]>(`/messages?${q}`);
  expect(r.status).toBe(200);
  return r.json;
}

const message = (extra: Record<string, unknown> = {}) => ({
  subject: "Strict",
  body: { contentType: "Text", content: "Hello" },
  toRecipients: [{ emailAddress: { address: `lee.gu@${d()}` } }],
  ...extra,
});
const sendMail = (m: unknown, extra: Record<string, unknown> = {}) =>
  graph().api(`/users/${shared()}/sendMail`).middlewareOptions(noRetry()).post({ message: m, saveToSentItems: false, ...extra });
const file = (extra: Record<string, unknown> = {}) => ({ "@odata.type": "#microsoft.graph.fileAttachment", name: "a.txt", contentType: "text/plain", contentBytes: Buffer.from("hi").toString("base64"), ...extra });

/** POSTs a MIME message (base64 text) the way Microsoft documents it, through the Graph SDK. */
const postMime = (path: string, base64: string) =>
  graph().api(path).header("Content-Type", "text/plain").responseType("raw" as never).middlewareOptions(noRetry()).post(base64);
/** The same, answered with an error: the SDK throws GraphError (raw responses are not checked). */
const mimeError = (path: string, base64: string) => graphError(graph().api(path).header("Content-Type", "text/plain").middlewareOptions(noRetry()).post(base64));

beforeAll(async () => {
  sb = await startTestSandbox();
  token = await sb.appTokenFor();
});
afterAll(async () => {
  await sb?.close();
});
beforeEach(async () => {
  await sb.control("/reset");
});

describe("/me with an app-only token", () => {
  it("answers 400 BadRequest on every /me path, before any permission check", async () => {
    const expected = [400, "BadRequest", "/me request is only valid with delegated authentication flow."];
    expect(shape(await graphError(graph().api("/me").middlewareOptions(noRetry()).get()))).toEqual(expected);
    expect(shape(await graphError(graph().api("/me/sendMail").middlewareOptions(noRetry()).post({ message: message() })))).toEqual(expected);
    expect(shape(await graphError(graph().api("/me/messages").middlewareOptions(noRetry()).post(message())))).toEqual(expected);
    expect(shape(await graphError(graph().api("/me/messages/x/attachments").middlewareOptions(noRetry()).get()))).toEqual(expected);
    // An app without any mail permission gets the same answer (the /me rule comes first).
    const seeded = await sb.control<{ apps: { appId: string; secrets: { secretText: string }[] }[] }>("/seed", { apps: [{ displayName: "No mail", applicationPermissions: [], adminConsent: true }] });
    const bare = seeded.json.apps[0]!;
    token = await sb.appTokenFor({ clientId: bare.appId, secret: bare.secrets[0]!.secretText });
    try {
      expect(shape(await graphError(graph().api("/me/sendMail").middlewareOptions(noRetry()).post({ message: message() })))).toEqual(expected);
    } finally {
      token = await sb.appTokenFor();
    }
    expect(await delivered("folder=all")).toHaveLength(0);
  });
});

describe("request bodies checked against the v1.0 CSDL", () => {
  it("refuses a property microsoft.graph.message does not define, naming it", async () => {
    const e = await graphError(sendMail(message({ importantce: "high" })));
    expect(shape(e)).toEqual([400, "RequestBodyRead", "The property 'importantce' does not exist on type 'microsoft.graph.message'. Make sure to only use property names that are defined by the type or mark the type as open type."]);
    const nested = await graphError(sendMail(message({ toRecipients: [{ emailAddress: { address: `lee.gu@${d()}` }, displayName: "Lee" }] })));
    expect(shape(nested)[2]).toBe("The property 'displayName' does not exist on type 'microsoft.graph.recipient'. Make sure to only use property names that are defined by the type or mark the type as open type.");
    const draft = await graphError(graph().api(`/users/${shared()}/messages`).middlewareOptions(noRetry()).post(message({ saveToSentItems: true })));
    expect(shape(draft)).toEqual([400, "RequestBodyRead", "The property 'saveToSentItems' does not exist on type 'microsoft.graph.message'. Make sure to only use property names that are defined by the type or mark the type as open type."]);
    const param = await graphError(sendMail(message(), { sendNow: true }));
    expect([param.statusCode, param.code]).toEqual([400, "RequestBodyRead"]);
    expect(param.message).toContain("'sendNow'");
    expect(await delivered("folder=all")).toHaveLength(0);
  });

  it("accepts every documented property, annotations, and any casing of enum values", async () => {
    await sendMail(
      message({
        "@odata.type": "#microsoft.graph.message",
        body: { contentType: "HTML", content: "<p>Hi</p>" },
        importance: "High",
        isReadReceiptRequested: true,
        categories: ["Welcome"],
        replyTo: [{ emailAddress: { address: `megan.bowen@${d()}`, name: "Megan" } }],
        internetMessageHeaders: [{ name: "X-Batch", value: "1" }],
        attachments: [file()],
      }),
    );
    const [m] = await delivered(`to=lee.gu@${d()}`);
    expect(m?.attachments.map((a) => a.name)).toEqual(["a.txt"]);
  });

  it("an attachment without @odata.type is the abstract attachment type: contentBytes is unknown there", async () => {
    const { "@odata.type": _t, ...untyped } = file();
    const e = await graphError(sendMail(message({ attachments: [untyped] })));
    expect(shape(e)).toEqual([400, "RequestBodyRead", "The property 'contentBytes' does not exist on type 'microsoft.graph.attachment'. Make sure to only use property names that are defined by the type or mark the type as open type."]);
    const bare = await graphError(sendMail(message({ attachments: [{ name: "a.txt" }] })));
    expect([bare.statusCode, bare.code]).toEqual([400, "RequestBodyRead"]);
    const d0 = await graph().api(`/users/${shared()}/messages`).post(message());
    const post = await graphError(graph().api(`/users/${shared()}/messages/${d0.id}/attachments`).middlewareOptions(noRetry()).post(untyped));
    expect(shape(post)[2]).toMatch(/^The property 'contentBytes' does not exist on type 'microsoft.graph.attachment'/);
    expect(await delivered("folder=all")).toHaveLength(0);
  });

  it("refuses a type name the model does not know, a wrong primitive and bad base64", async () => {
    const t = await graphError(sendMail(message({ attachments: [file({ "@odata.type": "#microsoft.graph.fileAttachmnet" })] })));
    expect(shape(t)).toEqual([400, "RequestBodyRead", "A type named 'microsoft.graph.fileAttachmnet' could not be resolved by the model. When a model is available, each type name must resolve to a valid type."]);
    const b64 = await graphError(sendMail(message({ attachments: [file({ contentBytes: "not base64!" })] })));
    expect(shape(b64)).toEqual([400, "RequestBodyRead", "Cannot convert the literal 'not base64!' to the expected type 'Edm.Binary'."]);
    const bool = await graphError(sendMail(message({ isReadReceiptRequested: "yes" })));
    expect([bool.statusCode, bool.code]).toEqual([400, "RequestBodyRead"]);
    const en = await graphError(sendMail(message({ importance: "urgent" })));
    expect([en.statusCode, en.code]).toEqual([400, "RequestBodyRead"]);
  });
});

describe("the 4 MB request limit, as sent", () => {
  it("counts the serialized body: base64 growth pushes 3.2 MB of raw bytes over the limit", async () => {
    // 3.2 MB raw is under 4 MiB, but its base64 (4.27 MB) in JSON is not.
    const big = file({ contentBytes: Buffer.alloc(3_200_000, 1).toString("base64") });
    const e = await graphError(sendMail(message({ attachments: [big] })));
    expect(shape(e)).toEqual([400, "BadRequest", "Maximum request length exceeded."]);
    const d0 = await graph().api(`/users/${shared()}/messages`).post(message());
    const att = await graphError(graph().api(`/users/${shared()}/messages/${d0.id}/attachments`).middlewareOptions(noRetry()).post(big));
    expect(shape(att)).toEqual([400, "BadRequest", "Maximum request length exceeded."]);
    // Just under: 3,000,000 raw bytes → 4,000,000 base64 characters plus the JSON around them.
    await sendMail(message({ attachments: [file({ contentBytes: Buffer.alloc(3_000_000, 1).toString("base64") })] }));
    expect(await delivered(`to=lee.gu@${d()}`)).toHaveLength(1);
  });
});

describe("MIME sending", () => {
  const mime = (extra = "") =>
    [
      `From: HR Welcome <${shared()}>`,
      `To: Lee Gu <lee.gu@${d()}>`,
      `Cc: nestor.wilke@${d()}`,
      "Bcc: auditor@example.org",
      "Subject: =?UTF-8?B?V2VsY29tZSDinJM=?=",
      "MIME-Version: 1.0",
      "X-Welcome-Batch: 2026-w1",
      extra,
      'Content-Type: multipart/mixed; boundary="b1"',
      "",
      "--b1",
      'Content-Type: multipart/alternative; boundary="b2"',
      "",
      "--b2",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Hello in text",
      "--b2",
      "Content-Type: text/html; charset=utf-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "<p>Hello in <b>HTML</b> =E2=9C=93</p>",
      "--b2--",
      "--b1",
      'Content-Type: text/csv; name="list.csv"',
      'Content-Disposition: attachment; filename="list.csv"',
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from("a,b\n1,2\n").toString("base64"),
      "--b1--",
      "",
    ]
      .filter((l, i) => l !== "" || i > 7)
      .join("\r\n");

  it("sendMail with text/plain and a base64 RFC 5322 message → 202, delivered with its headers and multipart kept", async () => {
    const res = (await postMime(`/users/${shared()}/sendMail`, Buffer.from(mime()).toString("base64"))) as Response;
    expect(res.status).toBe(202);
    const [lee] = await delivered(`to=lee.gu@${d()}`);
    expect(lee?.subject).toBe("Welcome ✓");
    expect(lee?.body.contentType).toBe("html");
    expect(lee?.body.content).toContain("<b>HTML</b> ✓");
    expect(lee?.internetMessageHeaders).toEqual([{ name: "X-Welcome-Batch", value: "2026-w1" }]);
    expect(lee?.attachments.map((a) => [a.name, a.contentType, a.size])).toEqual([["list.csv", "text/csv", 8]]);
    expect(lee?.bcc).toEqual([]);
    expect((await delivered(`to=nestor.wilke@${d()}`))).toHaveLength(1);
    expect((await delivered("to=auditor@example.org"))[0]?.bcc.map((b) => b.address)).toEqual(["auditor@example.org"]);
    expect(await delivered("folder=sentitems")).toHaveLength(1); // no saveToSentItems in MIME: the default applies
    // The message as sent, parsed again: same structure and headers, Bcc removed for recipients.
    const raw = await fetch((lee as unknown as { mime: { downloadUrl: string } }).mime.downloadUrl);
    expect(raw.headers.get("content-type")).toBe("message/rfc822");
    const text = await raw.text();
    expect(text).toMatch(/^X-Welcome-Batch: 2026-w1\r$/m);
    expect(text).toContain('Content-Type: multipart/alternative; boundary="b2"');
    expect(text).not.toMatch(/^Bcc:/im);
    const parsed = await PostalMime.parse(text);
    expect([parsed.text?.trim(), parsed.attachments.length]).toEqual(["Hello in text", 1]);
  });

  it("invalid base64 → 400 ErrorMimeContentInvalidBase64String; not a message → ErrorMimeContentInvalid; over 4 MB → the size error; no recipients → ErrorInvalidRecipients", async () => {
    const bad = await mimeError(`/users/${shared()}/sendMail`, "this is not base64!");
    expect(shape(bad)).toEqual([400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content."]);
    const notMime = await mimeError(`/users/${shared()}/sendMail`, Buffer.from("just some text, no header section").toString("base64"));
    expect([notMime.statusCode, notMime.code]).toEqual([400, "ErrorMimeContentInvalid"]);
    const headersOnly = [`From: ${shared()}`, `To: lee.gu@${d()}`, "Subject: headers only"].join("\r\n");
    expect(((await postMime(`/users/${shared()}/sendMail`, Buffer.from(headersOnly).toString("base64"))) as Response).status).toBe(202);
    const huge = mime().replace("Hello in text", "a".repeat(3_200_000));
    const big = await mimeError(`/users/${shared()}/sendMail`, Buffer.from(huge).toString("base64"));
    expect(shape(big)).toEqual([400, "BadRequest", "Maximum request length exceeded."]);
    const noTo = ["From: " + shared(), "Subject: nobody", "", "text"].join("\r\n");
    const none = await mimeError(`/users/${shared()}/sendMail`, Buffer.from(noTo).toString("base64"));
    expect([none.statusCode, none.code]).toEqual([400, "ErrorInvalidRecipients"]);
    expect((await delivered("folder=all")).map((m) => m.subject)).toEqual(["headers only", "headers only"]); // Lee's copy and Sent Items
  });

  it("a From whose display name contains @ is refused as ErrorSendAsDenied (observed: SMTP2Graph issue 28); <address> alone is sent", async () => {
    const msg = (from: string) => Buffer.from([`From: ${from}`, `To: lee.gu@${d()}`, "Subject: scan", "", "Scanned."].join("\r\n")).toString("base64");
    const denied = await mimeError(`/users/${shared()}/sendMail`, msg(`${shared()} <${shared()}>`));
    expect([denied.statusCode, denied.code]).toEqual([403, "ErrorSendAsDenied"]);
    const quoted = await mimeError(`/users/${shared()}/sendMail`, msg(`"Scanner ${shared()}"\r\n <${shared()}>`));
    expect(quoted.code).toBe("ErrorSendAsDenied");
    expect(await delivered(`to=lee.gu@${d()}`)).toEqual([]);
    expect(((await postMime(`/users/${shared()}/sendMail`, msg(`<${shared()}>`))) as Response).status).toBe(202);
    expect(((await postMime(`/users/${shared()}/sendMail`, msg(`"Scanner at contoso" <${shared()}>`))) as Response).status).toBe(202);
    expect(await delivered(`to=lee.gu@${d()}`)).toHaveLength(2);
  });

  it("POST …/messages with MIME creates a draft, which /send delivers as the MIME that was given", async () => {
    const res = (await postMime(`/users/${shared()}/messages`, Buffer.from(mime()).toString("base64"))) as Response;
    expect(res.status).toBe(201);
    const draft = (await res.json()) as { id: string; subject: string; isDraft: boolean; toRecipients: unknown[] };
    expect([draft.subject, draft.isDraft, draft.toRecipients.length]).toEqual(["Welcome ✓", true, 1]);
    const atts = await graph().api(`/users/${shared()}/messages/${draft.id}/attachments`).get();
    expect(atts.value.map((a: { name: string }) => a.name)).toEqual(["list.csv"]);
    await graph().api(`/users/${shared()}/messages/${draft.id}/send`).post(null);
    const [lee] = await delivered(`to=lee.gu@${d()}`);
    expect(lee?.internetMessageHeaders).toEqual([{ name: "X-Welcome-Batch", value: "2026-w1" }]);
    expect((lee as unknown as { mime?: { size: number } }).mime?.size).toBeGreaterThan(0);
  });
});
