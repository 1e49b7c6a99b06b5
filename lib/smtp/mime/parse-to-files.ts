import "server-only";
import { createReadStream, createWriteStream } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { MailParser, type AttachmentStream, type MessageText, type HeaderValue } from "mailparser";

/**
 * A device's message too large for MIME sendMail (over Graph's 4 MB request limit) read into the parts the
 * draft + upload-session path needs: subject, body, importance, X- headers, and each attachment streamed
 * to its own file in `dir` — never held in memory, so memory does not grow with the message (mailparser's
 * MailParser stream waits for each attachment's release before it reads on). Inline parts (cid:) keep
 * their Content-ID so the HTML body still shows them.
 */
export interface ParsedFile {
  id: string;
  path: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  isInline: boolean;
  contentId?: string;
}

export interface ParsedMessage {
  subject: string;
  bodyType: "html" | "text";
  body: string;
  importance: "low" | "normal" | "high";
  /** X- headers, at most 5: Graph's internetMessageHeaders limit (observed InvalidInternetMessageHeaderCollection). */
  headers: { name: string; value: string }[];
  /** The message's own Reply-To addresses (used when the Send row names none). */
  replyTo: string[];
  attachments: ParsedFile[];
}

const importanceOf = (h: Map<string, HeaderValue>): ParsedMessage["importance"] => {
  const v = String(h.get("importance") ?? h.get("x-priority") ?? "").trim().toLowerCase();
  if (v === "high" || v.startsWith("1") || v.startsWith("2")) return "high";
  if (v === "low" || v.startsWith("4") || v.startsWith("5")) return "low";
  return "normal";
};

export async function parseToFiles(file: string, dir: string): Promise<ParsedMessage> {
  const parser = new MailParser({ skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  const attachments: ParsedFile[] = [];
  let text: MessageText | null = null;
  const headerLines: { key: string; line: string }[] = [];
  let headers = new Map<string, HeaderValue>();
  parser.on("headers", (h: Map<string, HeaderValue>) => (headers = h));
  parser.on("headerLines", (lines) => headerLines.push(...lines));

  const save = async (a: AttachmentStream) => {
    const n = attachments.length + 1;
    const target = path.join(dir, `part-${n}.bin`);
    const hash = createHash("sha256");
    let size = 0;
    await pipeline(
      a.content,
      new Transform({ transform(b: Buffer, _e, cb) { size += b.length; hash.update(b); cb(null, b); } }),
      createWriteStream(target, { mode: 0o600 }),
    );
    const cid = a.contentId?.replace(/^<|>$/g, "");
    const isInline = a.contentDisposition === "inline" || (!!a.related && !!cid);
    attachments.push({
      id: `part-${n}`, path: target, name: a.filename || `attachment-${n}`, contentType: a.contentType || "application/octet-stream",
      size, sha256: hash.digest("hex"), isInline, ...(cid ? { contentId: cid } : {}),
    });
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    parser.on("error", fail);
    parser.on("data", (d: AttachmentStream | MessageText) => {
      if (d.type === "text") {
        text = d;
        return;
      }
      save(d).then(() => d.release?.(), fail);
    });
    parser.on("end", () => resolve());
    const source = createReadStream(file);
    source.on("error", fail);
    source.pipe(parser);
  });

  const t = text as MessageText | null;
  const html = t?.html;
  return {
    subject: typeof headers.get("subject") === "string" ? (headers.get("subject") as string) : "",
    bodyType: html ? "html" : "text",
    body: html || t?.text || "",
    importance: importanceOf(headers),
    headers: headerLines
      .filter((l) => /^x-/i.test(l.key))
      .slice(0, 5)
      .map((l) => {
        const colon = l.line.indexOf(":");
        return { name: l.line.slice(0, colon).trim(), value: l.line.slice(colon + 1).replace(/\r?\n[ \t]+/g, " ").trim() };
      }),
    replyTo: replyToOf(headers.get("reply-to")),
    attachments,
  };
}

function replyToOf(v: HeaderValue | undefined): string[] {
  const list = (Array.isArray(v) ? v : v ? [v] : []) as { value?: { address?: string; group?: { address?: string }[] }[] }[];
  return list.flatMap((o) => o.value ?? []).flatMap((a) => (a.group ? a.group : [a])).flatMap((a) => (a.address ? [a.address.toLowerCase()] : []));
}
