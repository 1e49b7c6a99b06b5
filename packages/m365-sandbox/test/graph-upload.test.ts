/**
 * Large attachments through the REAL Graph SDK: draft → createUploadSession → LargeFileUploadTask
 * (4 MB ranges) on the upload host → send; the delivered copy holds the bytes unchanged.
 */
import { createHash, randomBytes } from "node:crypto";
import { Client, FileUpload, type GraphError, LargeFileUploadTask, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestSandbox, type DeliveredJson, type TestSandbox } from "./support";

let sb: TestSandbox;
let client: Client;
const MB = 1024 * 1024;

beforeAll(async () => {
  sb = await startTestSandbox();
  const token = await sb.appTokenFor();
  client = Client.initWithMiddleware({
    baseUrl: sb.endpoints.graphUrl,
    customHosts: new Set(["localhost"]),
    authProvider: { getAccessToken: async () => token },
  });
});
afterAll(async () => {
  await sb?.close();
});
beforeEach(async () => {
  await sb.control("/reset");
});

async function draft(from: string, to: string): Promise<string> {
  const d = await client.api(`/users/${from}/messages`).post({
    subject: "Your onboarding pack",
    body: { contentType: "Text", content: "See the attached pack." },
    toRecipients: [{ emailAddress: { address: to } }],
  });
  expect(d.isDraft).toBe(true);
  expect(typeof d.id).toBe("string");
  return d.id as string;
}

async function session(from: string, id: string, name: string, size: number) {
  return LargeFileUploadTask.createUploadSession(client, `/users/${from}/messages/${id}/attachments/createUploadSession`, {
    AttachmentItem: { attachmentType: "file", name, size, contentType: "application/octet-stream" },
  });
}

describe("large attachments", () => {
  it("uploads 20 MB with LargeFileUploadTask, sends, and delivers it byte-identical", async () => {
    const { shared } = sb.endpoints.mailboxes;
    const to = `johanna.lorenz@${sb.endpoints.tenant.domain}`;
    const id = await draft(shared, to);
    const bytes = randomBytes(20 * MB);
    const s = await session(shared, id, "pack.bin", bytes.length);
    expect(new URL(s.url).hostname).toBe("127.0.0.1");
    const progress: number[] = [];
    const task = new LargeFileUploadTask(client, new FileUpload(bytes, "pack.bin", bytes.length), s, {
      rangeSize: 4 * MB,
      uploadEventHandlers: { progress: (r) => void (r && progress.push(r.maxValue)) },
    });
    const result = await task.upload();
    expect(progress).toHaveLength(5);
    expect(result.location).toMatch(/\/Attachments\('.+'\)$/);

    const atts = await client.api(`/users/${shared}/messages/${id}/attachments`).get();
    expect(atts.value.map((a: { name: string; size: number }) => [a.name, a.size])).toEqual([["pack.bin", 20 * MB]]);

    await client.api(`/users/${shared}/messages/${id}/send`).post(null);
    const got = await sb.control<DeliveredJson[]>(`/messages?to=${to}`);
    expect(got.json).toHaveLength(1);
    const att = got.json[0]!.attachments[0]!;
    expect(att.size).toBe(bytes.length);
    expect(att.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    const dl = Buffer.from(await (await fetch(att.downloadUrl)).arrayBuffer());
    expect(dl.equals(bytes)).toBe(true);
    // The draft is gone once sent.
    const e = await client.api(`/users/${shared}/messages/${id}`).get().catch((x: GraphError) => x);
    expect((e as GraphError).statusCode).toBe(404);
  });

  it("handles the 150 MB maximum when the mailbox allows it", async () => {
    const { shared } = sb.endpoints.mailboxes;
    const mb = [...sb.ctx.store.mailboxes.values()].find((m) => m.primarySmtpAddress === shared)!;
    // Exchange counts the encoded message (base64: about 4/3): a 150 MB file needs a limit past 200 MB, which
    // only the sandbox allows (Exchange Online stops at 150 MB, so about 112 MB of attachments).
    mb.maxSendSize = 210 * MB;
    const id = await draft(shared, `lee.gu@${sb.endpoints.tenant.domain}`);
    const bytes = Buffer.alloc(150 * MB);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE(i, i);
    const s = await session(shared, id, "max.bin", bytes.length);
    await new LargeFileUploadTask(client, new FileUpload(bytes, "max.bin", bytes.length), s, { rangeSize: 4 * MB }).upload();
    await client.api(`/users/${shared}/messages/${id}/send`).post(null);
    const got = await sb.control<DeliveredJson[]>(`/messages?to=lee.gu@${sb.endpoints.tenant.domain}`);
    expect(got.json[0]!.attachments[0]!.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  }, 120_000);

  it("refuses a session under 2 MiB, over 150 MB, over the mailbox limit, and without Mail.ReadWrite", async () => {
    const { shared } = sb.endpoints.mailboxes;
    const id = await draft(shared, `lee.gu@${sb.endpoints.tenant.domain}`);
    const fail = (size: number, c = client) =>
      c.api(`/users/${shared}/messages/${id}/attachments/createUploadSession`).middlewareOptions([new RetryHandlerOptions(0, 0)])
        .post({ AttachmentItem: { attachmentType: "file", name: "x.bin", size } }).then(() => { throw new Error("expected an error"); }, (e: GraphError) => [e.statusCode, e.code]);
    expect(await fail(2 * MB - 1)).toEqual([400, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize"]);
    expect(await fail(151 * MB)).toEqual([400, "ErrorMessageSizeExceeded"]);
    expect(await fail(36 * MB)).toEqual([400, "ErrorMessageSizeExceeded"]);
    sb.ctx.store.appRoleGrants = sb.ctx.store.appRoleGrants.filter((g) => g.value !== "Mail.ReadWrite");
    const t = await sb.appTokenFor();
    const noRw = Client.initWithMiddleware({ baseUrl: sb.endpoints.graphUrl, customHosts: new Set(["localhost"]), authProvider: { getAccessToken: async () => t } });
    expect(await fail(5 * MB, noRw)).toEqual([403, "ErrorAccessDenied"]);
  });

  it("the upload URL refuses an Authorization header, chunks over 4 MB and out-of-order ranges; DELETE cancels", async () => {
    const { shared } = sb.endpoints.mailboxes;
    const id = await draft(shared, `lee.gu@${sb.endpoints.tenant.domain}`);
    const size = 9 * MB;
    const s = await session(shared, id, "x.bin", size);
    const put = (start: number, len: number, headers: Record<string, string> = {}) =>
      fetch(s.url, { method: "PUT", headers: { "content-range": `bytes ${start}-${start + len - 1}/${size}`, "content-type": "application/octet-stream", ...headers }, body: Buffer.alloc(len, 1) });
    const withAuth = await put(0, MB, { authorization: "Bearer x" });
    expect(withAuth.status).toBe(401);
    expect((await put(0, 4 * MB + 1)).status).toBe(413);
    expect((await put(MB, MB)).status).toBe(416);
    const first = await put(0, 4 * MB);
    expect(first.status).toBe(200);
    expect((await first.json()).nextExpectedRanges).toEqual([`${4 * MB}`]);
    expect((await fetch(s.url, { method: "DELETE" })).status).toBe(204);
    expect((await put(4 * MB, MB)).status).toBe(404);
  });

  it("adds a small attachment with POST …/attachments", async () => {
    const { shared } = sb.endpoints.mailboxes;
    const id = await draft(shared, `lee.gu@${sb.endpoints.tenant.domain}`);
    const a = await client.api(`/users/${shared}/messages/${id}/attachments`).post({
      "@odata.type": "#microsoft.graph.fileAttachment", name: "hello.txt", contentType: "text/plain", contentBytes: Buffer.from("hi").toString("base64"),
    });
    expect([a.name, a.size, a["@odata.type"]]).toEqual(["hello.txt", 2, "#microsoft.graph.fileAttachment"]);
    await client.api(`/users/${shared}/messages/${id}`).delete();
    const e = await client.api(`/users/${shared}/messages/${id}/send`).post(null).catch((x: GraphError) => x);
    expect([(e as GraphError).statusCode, (e as GraphError).code]).toEqual([404, "ErrorItemNotFound"]);
  });

  it("GET on the upload URL says where the session stands; 404 once it is gone", async () => {
    const { shared } = sb.endpoints.mailboxes;
    const id = await draft(shared, `lee.gu@${sb.endpoints.tenant.domain}`);
    const s = await session(shared, id, "x.bin", 5 * MB);
    const state = async () => {
      const r = await fetch(s.url);
      return [r.status, r.status === 200 ? ((await r.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges : null];
    };
    expect(await state()).toEqual([200, ["0"]]);
    await fetch(s.url, { method: "PUT", headers: { "content-range": `bytes 0-${MB - 1}/${5 * MB}` }, body: Buffer.alloc(MB, 1) });
    expect(await state()).toEqual([200, [`${MB}`]]);
    await fetch(s.url, { method: "DELETE" });
    expect((await state())[0]).toBe(404);
  });

  it("upload volume per app and mailbox: 429 with Retry-After on the PUT once the window is full, until it moves on", async () => {
    expect((await sb.control("/upload-limits", { uploadVolume: { bytes: 0, windowSeconds: 5 } })).status).toBe(400);
    expect((await sb.control("/upload-limits", { uploadVolume: { bytes: 3 * MB, windowSeconds: 60 } })).status).toBe(200);
    const { shared } = sb.endpoints.mailboxes;
    const id = await draft(shared, `lee.gu@${sb.endpoints.tenant.domain}`);
    const s = await session(shared, id, "x.bin", 4 * MB);
    const put = (start: number) => fetch(s.url, { method: "PUT", headers: { "content-range": `bytes ${start}-${start + 2 * MB - 1}/${4 * MB}` }, body: Buffer.alloc(2 * MB, 1) });
    expect((await put(0)).status).toBe(200);
    const throttled = await put(2 * MB);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect(((await throttled.json()) as { error: { code: string } }).error.code).toBe("ApplicationThrottled");
    await sb.control("/clock", { advanceSeconds: 61 });
    expect((await put(2 * MB)).status).toBe(201);
    expect(((await sb.control<{ throttled: number }>("/upload-limits", undefined, "GET")).json).throttled).toBe(1);
  });

  it("counts the ENCODED size: ErrorMessageSizeExceeded on the PUT that crosses the mailbox limit", async () => {
    const { shared } = sb.endpoints.mailboxes;
    const mb = [...sb.ctx.store.mailboxes.values()].find((m) => m.primarySmtpAddress === shared)!;
    mb.maxSendSize = 12 * MB;
    const id = await draft(shared, `lee.gu@${sb.endpoints.tenant.domain}`);
    // 10 MB raw fits 12 MB, so the session is created; encoded it is about 13.5 MB.
    const s = await session(shared, id, "x.bin", 10 * MB);
    const put = (start: number, len: number) => fetch(s.url, { method: "PUT", headers: { "content-range": `bytes ${start}-${start + len - 1}/${10 * MB}` }, body: Buffer.alloc(len, 1) });
    expect((await put(0, 4 * MB)).status).toBe(200);
    expect((await put(4 * MB, 4 * MB)).status).toBe(200);
    const over = await put(8 * MB, 2 * MB);
    expect(over.status).toBe(400);
    expect(((await over.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "ErrorMessageSizeExceeded", message: "The message exceeds the maximum supported size." });
  });
});
