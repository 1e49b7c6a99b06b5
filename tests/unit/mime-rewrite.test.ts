import { Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { simpleParser } from "mailparser";
import { rewriteMime, type RewriteOptions } from "@/lib/smtp/mime/rewrite-mime";
import { bare, fakePdf, hpScan, lobQuotedPrintableHtml, ricohScanLf } from "../support/mime/fixtures";

// The MIME fixes on their own (the delivery through the outbox and the sandbox is in
// tests/integration/deliver-mime.test.ts).
async function run(raw: Buffer, o: Partial<RewriteOptions> & { from: string }) {
  const chunks: Buffer[] = [];
  const out = new Writable({ write(b: Buffer, _e, cb) { chunks.push(b); cb(); } });
  // Small chunks: boundaries and QP escapes fall across chunk edges.
  const input = Readable.from((function* () { for (let i = 0; i < raw.length; i += 7) yield raw.subarray(i, i + 7); })());
  const r = await rewriteMime(input, out, { to: [], cc: [], bcc: [], replyTo: [], reencodeQuotedPrintable: true, ...o });
  const bytes = Buffer.concat(chunks);
  return { ...r, bytes, text: bytes.toString("latin1") };
}

const head = (text: string) => text.slice(0, text.search(/\r?\n\r?\n/));

describe("rewriteMime", () => {
  it("leaves a message whose headers match the row byte for byte", async () => {
    const raw = hpScan({ from: "scan@contoso.com", to: ["a@contoso.com"], subject: "s" }, fakePdf(5000));
    const r = await run(raw, { from: "scan@contoso.com", to: ["a@contoso.com"] });
    expect(r.fixes).toEqual([]);
    expect(r.bytes.equals(raw)).toBe(true);
    expect(r.bytes.length).toBe(r.bytes.length);
  });

  it("adds envelope-only recipients as Bcc and drops header recipients the envelope did not name", async () => {
    const raw = bare("From: app@contoso.com\nTo: a@contoso.com, Stranger <x@fabrikam.com>\nCc: c@contoso.com, y@fabrikam.com\nSubject: s");
    const r = await run(raw, { from: "app@contoso.com", to: ["a@contoso.com"], cc: ["c@contoso.com"], bcc: ["hidden@contoso.com"] });
    expect(r.fixes.sort()).toEqual(["bcc-set", "cc-rewritten", "to-rewritten"]);
    const m = await simpleParser(r.bytes);
    expect(m.to && !Array.isArray(m.to) ? m.to.value.map((a) => a.address) : null).toEqual(["a@contoso.com"]);
    expect(m.cc && !Array.isArray(m.cc) ? m.cc.value.map((a) => a.address) : null).toEqual(["c@contoso.com"]);
    expect(m.bcc && !Array.isArray(m.bcc) ? m.bcc.value.map((a) => a.address) : null).toEqual(["hidden@contoso.com"]);
    expect(r.text).not.toContain("fabrikam");
    expect(r.text).toContain("Body text.");
  });

  it("replaces a Bcc header naming someone outside the envelope, and removes it when the row has no Bcc", async () => {
    const raw = bare("From: app@contoso.com\nTo: a@contoso.com\nBcc: spy@fabrikam.com\nSubject: s");
    const none = await run(raw, { from: "app@contoso.com", to: ["a@contoso.com"] });
    expect(none.fixes).toEqual(["bcc-set"]);
    expect(head(none.text)).not.toMatch(/^bcc:/im);
    const some = await run(raw, { from: "app@contoso.com", to: ["a@contoso.com"], bcc: ["b@contoso.com"] });
    expect(head(some.text)).toMatch(/^Bcc: <b@contoso\.com>$/m);
  });

  it("a Bcc-only message: no To header, the recipients in Bcc", async () => {
    const raw = bare("From: app@contoso.com\nSubject: s");
    const r = await run(raw, { from: "app@contoso.com", bcc: ["b1@contoso.com", "b2@contoso.com"] });
    expect(head(r.text)).toMatch(/^Bcc: <b1@contoso\.com>, <b2@contoso\.com>$/m);
    expect(head(r.text)).not.toMatch(/^to:/im);
  });

  it("fills a missing From and normalises a display name with @ and folded encoded words", async () => {
    const missing = await run(bare("To: a@contoso.com\nSubject: s"), { from: "scan@contoso.com", to: ["a@contoso.com"] });
    expect(missing.fixes).toContain("from-added");
    expect(head(missing.text)).toMatch(/^From: <scan@contoso\.com>$/m);

    const at = await run(bare(`From: "Scanner scanner@printer.local" <scan@contoso.com>\nTo: a@contoso.com\nSubject: s`), { from: "scan@contoso.com", to: ["a@contoso.com"] });
    expect(at.fixes).toEqual(["from-normalised"]);
    expect(head(at.text)).toMatch(/^From: "Scanner scanner at printer\.local" <scan@contoso\.com>$/m);
    // The printer form from github.com/SMTP2Graph/SMTP2Graph/issues/28: the name is only an address.
    const bareAt = await run(bare(`From: scan@contoso.com <scan@contoso.com>\nTo: a@contoso.com\nSubject: s`), { from: "scan@contoso.com", to: ["a@contoso.com"] });
    expect(head(bareAt.text)).toMatch(/^From: <scan@contoso\.com>$/m);

    const folded = await run(bare(`From: =?UTF-8?B?U2Nhbm5lciBLw7xjaGUg?=\n =?UTF-8?B?RXJkZ2VzY2hvc3M=?= <scan@contoso.com>\nTo: a@contoso.com\nSubject: s`), { from: "scan@contoso.com", to: ["a@contoso.com"] });
    expect(folded.fixes).toEqual(["from-normalised"]);
    const line = head(folded.text).split(/\r?\n/).find((l) => l.startsWith("From:"))!;
    expect(line).toMatch(/^From: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <scan@contoso\.com>$/);
    const m = await simpleParser(folded.bytes);
    expect(m.from?.value[0]).toEqual({ name: "Scanner Küche Erdgeschoss", address: "scan@contoso.com" });
  });

  it("removes a Sender header (a second send-as identity) and keeps every other header line as it was", async () => {
    const raw = bare("From: scan@contoso.com\nSender: operator@device.local\nTo: a@contoso.com\nX-Device: MFP\n  folded value\nSubject: s");
    const r = await run(raw, { from: "scan@contoso.com", to: ["a@contoso.com"] });
    expect(r.fixes).toEqual(["sender-removed"]);
    expect(head(r.text)).not.toMatch(/^sender:/im);
    expect(head(r.text)).toContain("X-Device: MFP\r\n  folded value\r\n");
  });

  it("sends from the row's mailbox with the original From as Reply-To when the relay rewrote it", async () => {
    const raw = bare("From: Printer <printer@device.local>\nTo: a@contoso.com\nSubject: s");
    const r = await run(raw, { from: "scan@contoso.com", to: ["a@contoso.com"], replyTo: ["printer@device.local"] });
    expect(r.fixes.sort()).toEqual(["from-normalised", "reply-to-set"]);
    expect(head(r.text)).toMatch(/^From: <scan@contoso\.com>$/m);
    expect(head(r.text)).toMatch(/^Reply-To: <printer@device\.local>$/m);
  });

  it("re-encodes quoted-printable text as base64 with the same decoded content, and only when asked", async () => {
    const { raw, html } = lobQuotedPrintableHtml({ from: "app@contoso.com", to: ["a@contoso.com"], subject: "s" });
    const r = await run(raw, { from: "app@contoso.com", to: ["a@contoso.com"] });
    expect(r.fixes).toEqual(["qp-reencoded"]);
    expect(r.text).toMatch(/^Content-Transfer-Encoding: base64$/m);
    const before = (await simpleParser(raw)).html as string;
    expect(before.trim()).toBe(html);
    expect((await simpleParser(r.bytes)).html).toBe(before);
    const off = await run(raw, { from: "app@contoso.com", to: ["a@contoso.com"], reencodeQuotedPrintable: false });
    expect(off.fixes).toEqual([]);
    expect(off.bytes.equals(raw)).toBe(true);
  });

  it("re-encodes a quoted-printable part inside multipart/alternative without touching its siblings", async () => {
    const input = bare(
      "From: app@contoso.com\nTo: a@contoso.com\nSubject: s",
      "--alt\nContent-Type: text/plain; charset=utf-8\n\nplain =3D stays\n--alt\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n<p class=3D\"x\">caf=C3=A9 =\nlong line</p>\n--alt--\n",
      'multipart/alternative; boundary="alt"',
    );
    const r = await run(input, { from: "app@contoso.com", to: ["a@contoso.com"] });
    expect(r.fixes).toEqual(["qp-reencoded"]);
    const [before, after] = [await simpleParser(input), await simpleParser(r.bytes)];
    expect(after.html).toBe(before.html);
    expect(after.html).toContain('<p class="x">café long line</p>');
    expect(after.text).toBe(before.text);
    expect(r.text).toContain("plain =3D stays");
  });

  it("keeps LF-only line ends when it rewrites headers, and hostile names cannot add header lines", async () => {
    const pdf = fakePdf(3000);
    const raw = ricohScanLf({ from: "scan@contoso.com", to: ["a@contoso.com", "x@fabrikam.com"], subject: "s" }, pdf);
    const r = await run(raw, { from: "scan@contoso.com", to: ["a@contoso.com"] });
    expect(r.text).not.toContain("\r");
    const m = await simpleParser(r.bytes);
    expect(m.attachments[0]?.content.equals(pdf)).toBe(true);

    const hostile = await run(bare(`From: "a\\"\r\n Bcc: evil@x.com" <printer@device.local>\nTo: a@contoso.com\nSubject: s`), { from: "scan@contoso.com", to: ["a@contoso.com"], replyTo: ["printer@device.local"] });
    expect(head(hostile.text)).not.toMatch(/^bcc:/im);
    expect(hostile.text).not.toContain("evil@x.com");
  });
});
