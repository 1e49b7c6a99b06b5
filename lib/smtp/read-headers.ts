import "server-only";
import { simpleParser, type AddressObject } from "mailparser";

/**
 * The header block of a device's message, read with mailparser (RFC 2047 encoded words, folded lines,
 * groups and comments in address lists handled by the library, not here). Only the header block is
 * parsed — the body stays on disk — so this costs the same for a 1 KB note and a 20 MB scan.
 */
export interface MessageHeaders {
  from: string[];
  to: string[];
  cc: string[];
  replyTo: string[];
  subject: string | undefined;
}

function addresses(v: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  const walk = (list: { address?: string; group?: { address?: string }[] }[]) => {
    for (const a of list) {
      if (a.address) out.push(a.address);
      if (a.group) walk(a.group);
    }
  };
  for (const o of Array.isArray(v) ? v : v ? [v] : []) walk(o.value);
  return out;
}

export async function readHeaders(headerBlock: Buffer): Promise<MessageHeaders> {
  // An empty body after the block: mailparser then has nothing else to decode.
  const parsed = await simpleParser(Buffer.concat([headerBlock, Buffer.from("\r\n\r\n")]), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  return {
    from: addresses(parsed.from),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    replyTo: addresses(parsed.replyTo),
    subject: parsed.subject,
  };
}
