import "server-only";
import { Transform, type Readable, type TransformCallback, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Splitter, type Headers, type MimeNode } from "@zone-eu/mailsplit";
import { Decoder as QpDecoder } from "libqp";
import { Encoder as Base64Encoder } from "libbase64";
import { fixEnvelopeHeaders, type EnvelopePlan, type HeaderFix } from "./envelope-headers";

/**
 * The device's message, streamed from the upload store to a file with only targeted fixes: the envelope
 * headers (envelope-headers.ts) and, when asked, quoted-printable text parts re-encoded as base64.
 * Everything else — other headers, the multipart structure and preambles, line ends, encodings, inline
 * images — is copied as it came (mailsplit's Splitter keeps unmodified header blocks byte for byte).
 *
 * Quoted-printable: a relay that forwards device mail to Graph as MIME found Graph's re-encoding garbling
 * quoted-printable HTML bodies — soft line breaks followed by characters that read as hex digits — and
 * fixed it by re-encoding as base64 (github.com/JustinIven/smtp-oauth-relay/pull/94, issue 93; the same
 * reporter: "When it re-encodes QP, it breaks formatting", github.com/bigcapitalhq/bigcapital/pull/1038).
 * Reported, not reproduced by that relay's maintainer, and not documented by Microsoft. Base64 carries the
 * same decoded bytes and is immune to line rewrapping, so the fix changes no content; the outbox always
 * applies it (the option exists for tests).
 *
 * Memory: objects flow through node streams one chunk at a time; nothing holds the message.
 */
export interface RewriteOptions extends EnvelopePlan {
  reencodeQuotedPrintable: boolean;
}

export interface RewriteResult {
  fixes: (HeaderFix | "qp-reencoded")[];
  bytes: number;
}

type Chunk = MimeNode | { type: "body" | "data"; node?: MimeNode; value: Buffer };

const isNode = (c: Chunk): c is MimeNode => c.type === "node";

const wantsReencode = (n: MimeNode) =>
  !n.multipart && (n.encoding || "").toLowerCase() === "quoted-printable" && /^text\//i.test(n.contentType || "text/plain");

/** The line end the message itself uses, so rebuilt header blocks do not mix CRLF into an LF message. */
function lineEndOf(n: MimeNode): string {
  const raw = n.headers ? n.headers.build() : Buffer.alloc(0);
  return raw.includes("\r\n") ? "\r\n" : "\n";
}

class Fixer extends Transform {
  readonly fixes = new Set<RewriteResult["fixes"][number]>();
  private eol = "\r\n";
  private qp: { decoder: QpDecoder; done: Promise<void> } | null = null;

  constructor(private readonly o: RewriteOptions) {
    super({ objectMode: true });
  }

  private emitNode(n: MimeNode): void {
    const h = n.headers;
    const bytes = h && h.changed ? h.build(this.eol) : n.getHeaders();
    this.push(bytes);
  }

  private async endQp(): Promise<void> {
    if (!this.qp) return;
    const { decoder, done } = this.qp;
    this.qp = null;
    decoder.end();
    await done;
  }

  private startQp(): void {
    const decoder = new QpDecoder();
    const encoder = new Base64Encoder();
    encoder.on("data", (b: Buffer) => this.push(b));
    const done = new Promise<void>((resolve, reject) => {
      // A base64 body must end with a line break before the next boundary.
      encoder.on("end", () => {
        this.push(Buffer.from(this.eol));
        resolve();
      });
      encoder.on("error", reject);
      decoder.on("error", reject);
    });
    decoder.pipe(encoder);
    this.qp = { decoder, done };
  }

  override _transform(c: Chunk, _enc: BufferEncoding, cb: TransformCallback): void {
    void this.step(c).then(() => cb(), cb);
  }

  private async step(c: Chunk): Promise<void> {
    if (c.type === "body" && this.qp) {
      if (!this.qp.decoder.write(c.value)) await new Promise((r) => this.qp!.decoder.once("drain", r));
      return;
    }
    await this.endQp();
    if (!isNode(c)) {
      if (c.value?.length) this.push(c.value);
      return;
    }
    if (c.root) {
      this.eol = lineEndOf(c);
      for (const f of fixEnvelopeHeaders(c.headers as Headers, this.o)) this.fixes.add(f);
    }
    if (this.o.reencodeQuotedPrintable && wantsReencode(c)) {
      (c.headers as Headers).update("Content-Transfer-Encoding", "base64");
      c.encoding = "base64";
      this.fixes.add("qp-reencoded");
      this.emitNode(c);
      this.startQp();
      return;
    }
    this.emitNode(c);
  }

  override _flush(cb: TransformCallback): void {
    this.endQp().then(() => cb(), cb);
  }
}

export async function rewriteMime(input: Readable, output: Writable, o: RewriteOptions): Promise<RewriteResult> {
  const fixer = new Fixer(o);
  let bytes = 0;
  const count = new Transform({
    transform(b: Buffer, _e, cb) {
      bytes += b.length;
      cb(null, b);
    },
  });
  await pipeline(input, new Splitter(), fixer, count, output);
  return { fixes: [...fixer.fixes], bytes };
}
