/**
 * Messages in the styles real devices and line-of-business apps send (written for these tests, modelled on
 * what scan-to-mail printers, UPS/NAS alerts and old apps put on the wire). Each takes the addresses and a
 * unique subject; `eol` lets a test produce the LF-only form some appliances send.
 */
import { randomBytes } from "node:crypto";

export interface FixtureInput {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
}

const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");
const b64 = (b: Buffer) => b.toString("base64").replace(/.{76}/g, "$&\r\n");

/** A small but real-looking PDF (header, one object, trailer) padded with random bytes to `size`. */
export function fakePdf(size: number): Buffer {
  const head = Buffer.from("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n");
  const tail = Buffer.from("\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
  return Buffer.concat([head, randomBytes(Math.max(0, size - head.length - tail.length)), tail]);
}

/** A 1×1 PNG. */
export const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/** HP-style scan-to-mail: multipart/mixed, a short text part, the PDF as base64 with a quoted filename. */
export function hpScan(i: FixtureInput, pdf: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(crlf(`From: "HP LaserJet MFP M428" <${i.from}>
To: ${i.to.join(", ")}
Subject: ${i.subject}
Date: Thu, 03 Dec 2026 10:00:00 +0000
MIME-Version: 1.0
X-Mailer: HP LaserJet MFP
Content-Type: multipart/mixed; boundary="----=_HPSCAN_0001"

This is a multi-part message in MIME format.

------=_HPSCAN_0001
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Scanned document attached.

------=_HPSCAN_0001
Content-Type: application/pdf; name="scan_0001.pdf"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="scan_0001.pdf"

`)),
    Buffer.from(b64(pdf)),
    Buffer.from("\r\n------=_HPSCAN_0001--\r\n"),
  ]);
}

/** Canon-style: no preamble, Content-Type parameters folded on the next line, PDF filename unquoted. */
export function canonScan(i: FixtureInput, pdf: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(crlf(`Date: Thu, 3 Dec 2026 10:01:00 +0000
From: iR-ADV C5535 <${i.from}>
To: <${i.to[0]}>
Subject: ${i.subject}
MIME-Version: 1.0
Content-Type: multipart/mixed;
\tboundary="CANON_BOUNDARY_4711"

--CANON_BOUNDARY_4711
Content-Type: text/plain; charset="ISO-8859-1"
Content-Transfer-Encoding: 8bit

`)),
    Buffer.from("Attached Image\r\nGr\xfc\xdfe aus dem Scanner\r\n", "latin1"),
    Buffer.from(crlf(`
--CANON_BOUNDARY_4711
Content-Type: application/pdf;
\tname=20261203100100.pdf
Content-Transfer-Encoding: base64
Content-Disposition: attachment;
\tfilename=20261203100100.pdf

`)),
    Buffer.from(b64(pdf)),
    Buffer.from("\r\n--CANON_BOUNDARY_4711--\r\n"),
  ]);
}

/** Xerox-style: multipart/mixed with a nested multipart/alternative (text + HTML) and the PDF. */
export function xeroxScan(i: FixtureInput, pdf: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(crlf(`From: Xerox WorkCentre <${i.from}>
To: ${i.to.join(", ")}
Subject: ${i.subject}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_xrx_outer"

--=_xrx_outer
Content-Type: multipart/alternative; boundary="=_xrx_alt"

--=_xrx_alt
Content-Type: text/plain; charset=utf-8

Please open the attached document. It was scanned and sent to you using a Xerox multifunction device.
--=_xrx_alt
Content-Type: text/html; charset=utf-8

<html><body><p>Please open the attached document.</p></body></html>
--=_xrx_alt--

--=_xrx_outer
Content-Type: application/pdf; name="Scan_20261203.pdf"
Content-Disposition: attachment; filename="Scan_20261203.pdf"
Content-Transfer-Encoding: base64

`)),
    Buffer.from(b64(pdf)),
    Buffer.from("\r\n--=_xrx_outer--\r\n"),
  ]);
}

/** Ricoh-style with LF-only line ends throughout (as some embedded stacks write). */
export function ricohScanLf(i: FixtureInput, pdf: Buffer): Buffer {
  const s = `From: RICOH IM C3000 <${i.from}>
To: ${i.to.join(", ")}
Subject: ${i.subject}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="RICOH-LF"

--RICOH-LF
Content-Type: text/plain; charset=us-ascii

Scan from RICOH IM C3000
--RICOH-LF
Content-Type: application/pdf; name="ricoh.pdf"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="ricoh.pdf"

${pdf.toString("base64").replace(/.{76}/g, "$&\n")}
--RICOH-LF--
`;
  return Buffer.from(s);
}

/** A UPS / NAS alert: single part, plain text, no MIME-Version, a Date and an X-header. */
export function upsAlert(i: FixtureInput): Buffer {
  return Buffer.from(crlf(`From: ups-alerts@${i.from.split("@")[1]} <${i.from}>
To: ${i.to.join(", ")}
Subject: ${i.subject}
X-UPS-Event: OnBattery

UPS SMT1500 on battery power since 03/12/2026 10:02:11.
Runtime remaining: 41 min.
`));
}

/** A line-of-business app writing 8bit UTF-8 text. */
export function lob8bit(i: FixtureInput & { body: string }): Buffer {
  return Buffer.from(crlf(`From: ERP <${i.from}>
To: ${i.to.join(", ")}
${i.cc?.length ? `Cc: ${i.cc.join(", ")}\n` : ""}Subject: ${i.subject}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

${i.body}
`));
}

/** A line-of-business app writing quoted-printable HTML with soft breaks before hex-looking characters. */
export function lobQuotedPrintableHtml(i: FixtureInput): { raw: Buffer; html: string } {
  const html = `<html><body><p class="content">Invoice 4711 — total 12,50 €</p><p class="footer">caf\u00e9 d\u00e9j\u00e0 vu</p></body></html>`;
  // Hand-wrapped at odd places: "=\r\n" followed by "c" / "d" / "e" (hex-looking), as the report describes.
  const qp = `<html><body><p =\r\nclass=3D"content">Invoice 4711 =E2=80=94 total 12,50 =E2=82=AC</p><p =\r\nclass=3D"footer">caf=C3=A9 d=C3=A9j=C3=A0 vu</p></body></html>`;
  const raw = Buffer.from(crlf(`From: Billing <${i.from}>
To: ${i.to.join(", ")}
Subject: ${i.subject}
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

`) + qp + "\r\n");
  return { raw, html };
}

/** An app writing base64 text with an inline image referenced by cid: (multipart/related). */
export function lobInlineImage(i: FixtureInput): Buffer {
  const html = `<html><body><p>Daily report</p><img src="cid:logo@app"></body></html>`;
  return Buffer.from(crlf(`From: Reports <${i.from}>
To: ${i.to.join(", ")}
Subject: ${i.subject}
MIME-Version: 1.0
Content-Type: multipart/related; boundary="rel-1"; type="text/html"

--rel-1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

${b64(Buffer.from(html))}
--rel-1
Content-Type: image/png; name="logo.png"
Content-Transfer-Encoding: base64
Content-ID: <logo@app>
Content-Disposition: inline; filename="logo.png"

${b64(PNG)}
--rel-1--
`));
}

/** A bare message with headers given by the test (missing From, odd From forms, Bcc-only, …). */
export function bare(headers: string, body = "Body text.\n", contentType = "text/plain; charset=us-ascii"): Buffer {
  return Buffer.from(crlf(`${headers.trim()}\nMIME-Version: 1.0\nContent-Type: ${contentType}\n\n${body}`));
}
