import "server-only";
import type { Headers } from "@zone-eu/mailsplit";
import { parseAddressHeader } from "mailparser";
import libmime from "libmime";

/**
 * The header fixes a device's message gets before Graph sees it, decided by the Send row (the truth the
 * relay derived from the SMTP envelope). Graph has no envelope: MIME sendMail takes its recipients from
 * the To, Cc and Bcc headers (graph/api/user-sendmail, "send message in MIME format": "Provide the
 * applicable Internet message headers and the MIME content"), and "Microsoft Graph does not support
 * editing or updating MIME properties individually" (learn.microsoft.com/graph/outlook-send-mime-message),
 * so the headers themselves are rewritten — only the ones that need it; every other header line is
 * kept byte for byte.
 *
 * - To / Cc: entries whose address the row does not list are removed (a header recipient the device did
 *   not give in RCPT TO must not receive it); row addresses missing from the header are added.
 * - Bcc: set to exactly the row's Bcc (the envelope-only recipients). Exchange's MIME conversion reads a
 *   Bcc header as Bcc recipients and never copies them into the MIME it submits over SMTP ([MS-OXCMAIL]
 *   2.1.3.1.1.2 "Bcc Recipients", learn.microsoft.com/openspecs/exchange_server_protocols/ms-oxcmail); that
 *   MIME sendMail goes through that conversion is likely but not stated for Graph (**unconfirmed**). The
 *   sandbox does both.
 * - From: filled when missing; rewritten when the address is not the row's From (the relay chose the
 *   device's default mailbox), when the display name contains "@" (observed to trip Exchange's send-as
 *   check, see saneName), or when it is folded RFC 2047 encoded words (**unconfirmed** that Exchange
 *   misreads those; normalising them to one unfolded encoded word changes nothing a reader sees).
 * - Sender: removed — a second identity Exchange would check for send-on-behalf (the row's From is the one).
 * - Reply-To: set to the row's Reply-To when it has one (the original From kept by a "rewrite" policy);
 *   otherwise the device's own Reply-To stays.
 */
export interface EnvelopePlan {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
}

/** The fixes applied, for the send's attempt log (one word each). */
export type HeaderFix = "from-added" | "from-normalised" | "sender-removed" | "to-rewritten" | "cc-rewritten" | "bcc-set" | "reply-to-set";

interface Entry {
  name: string;
  address: string;
}

const lc = (s: string) => s.trim().toLowerCase();

/** Raw header value(s) of a key, with "Name:" cut off (folding left in). */
function rawValues(h: Headers, key: string): string[] {
  return h
    .getList()
    .filter((l) => l.key === key)
    .map((l) => {
      const line = Buffer.from(l.line, "binary").toString("utf8");
      return line.slice(line.indexOf(":") + 1);
    });
}

function entries(h: Headers, key: string): Entry[] {
  const values = rawValues(h, key);
  if (!values.length) return [];
  const out: Entry[] = [];
  const walk = (list: { name?: string; address?: string; group?: unknown[] }[]) => {
    for (const a of list) {
      if (a.group) walk(a.group as typeof list);
      else if (a.address) out.push({ name: a.name ?? "", address: a.address });
    }
  };
  walk(parseAddressHeader(values).value as { name?: string; address?: string; group?: unknown[] }[]);
  return out;
}

/** A display name as one header-safe token: a quoted string, or one base64 encoded word when not ASCII. */
export function displayName(name: string): string {
  const clean = name.replace(/[\r\n\t]+/g, " ").replace(/\s+/g, " ").trim();
  if (!clean) return "";
  if (/[^\x20-\x7e]/.test(clean)) return libmime.encodeWord(clean, "B", 0);
  return `"${clean.replace(/(["\\])/g, "\\$1")}"`;
}

const formatted = (e: Entry) => (e.name ? `${displayName(e.name)} <${e.address}>` : `<${e.address}>`);

function index(h: Headers, key: string): number {
  const i = h.getList().findIndex((l) => l.key === key);
  return i < 0 ? h.getList().length : i;
}

/** Replaces every line of `key` by one unfolded line at the position of the first (or at the end). */
function put(h: Headers, key: string, canonical: string, value: string | null): void {
  const at = index(h, key);
  h.remove(key);
  if (value !== null) h.addFormatted(key, `${canonical}: ${value}`, at);
}

/** The row's list with the header's names kept: the header's own order first, then the row's additions. */
function reconcile(header: Entry[], wanted: string[]): { list: Entry[]; same: boolean } {
  const want = new Set(wanted.map(lc));
  const kept = header.filter((e) => want.has(lc(e.address)));
  const seen = new Set(kept.map((e) => lc(e.address)));
  const added = wanted.filter((a) => !seen.has(lc(a))).map((address) => ({ name: "", address }));
  // Unchanged when nothing was dropped or added and no address appears twice.
  const same = kept.length === header.length && added.length === 0 && seen.size === kept.length;
  const unique: Entry[] = [];
  const once = new Set<string>();
  for (const e of [...kept, ...added]) if (!once.has(lc(e.address)) && once.add(lc(e.address))) unique.push(e);
  return { list: unique, same };
}

/**
 * An "@" in the display name makes Exchange refuse the send as ErrorSendAsDenied (observed with a printer's
 * `From: printer@domain.com <printer@domain.com>`, fixed by sending `From: <printer@domain.com>`:
 * github.com/SMTP2Graph/SMTP2Graph/issues/28). A name that is just an address is dropped; any other "@"
 * becomes " at ".
 */
const saneName = (name: string) => (/^\S+@\S+$/.test(name.trim()) ? "" : name.replace(/@/g, " at ").replace(/\s+/g, " ").trim());

/** Folded encoded words: an RFC 2047 word, a line break, more (Exchange reads the fold literally). */
const FOLDED_ENCODED = /=\?[^?]+\?[bq]\?[^?]*\?=\s*\r?\n[ \t]/i;

export function fixEnvelopeHeaders(h: Headers, plan: EnvelopePlan): HeaderFix[] {
  const fixes: HeaderFix[] = [];

  const fromRaw = rawValues(h, "from");
  const from = entries(h, "from");
  if (!fromRaw.length || !from.length) {
    put(h, "from", "From", `<${plan.from}>`);
    fixes.push("from-added");
  } else {
    const mine = from.length === 1 && lc(from[0]!.address) === lc(plan.from);
    const name = mine ? from[0]!.name : "";
    const folded = fromRaw.some((v) => FOLDED_ENCODED.test(v));
    // The parser drops a name equal to the address, so the raw text before "<" is checked too.
    const atInName = name.includes("@") || fromRaw.some((v) => v.lastIndexOf("<") > 0 && v.slice(0, v.lastIndexOf("<")).includes("@"));
    if (!mine || fromRaw.length > 1 || atInName || folded) {
      const n = saneName(name);
      put(h, "from", "From", n ? `${displayName(n)} <${plan.from}>` : `<${plan.from}>`);
      fixes.push("from-normalised");
    }
  }
  // Sender would be another send-as check; the row's From is the only identity this message carries.
  if (rawValues(h, "sender").length) {
    put(h, "sender", "Sender", null);
    fixes.push("sender-removed");
  }

  for (const [key, canonical, wanted, fix] of [
    ["to", "To", plan.to, "to-rewritten"],
    ["cc", "Cc", plan.cc, "cc-rewritten"],
  ] as const) {
    const { list, same } = reconcile(entries(h, key), wanted);
    if (same && rawValues(h, key).length <= 1) continue;
    put(h, key, canonical, list.length ? list.map(formatted).join(", ") : null);
    fixes.push(fix);
  }

  const bcc = reconcile(entries(h, "bcc"), plan.bcc);
  if (!bcc.same || rawValues(h, "bcc").length > 1 || (plan.bcc.length === 0 && rawValues(h, "bcc").length)) {
    // Placed after the last address header the message has, where a mail program would write it.
    put(h, "bcc", "Bcc", bcc.list.length ? bcc.list.map(formatted).join(", ") : null);
    fixes.push("bcc-set");
  }

  if (plan.replyTo.length) {
    const { list, same } = reconcile(entries(h, "reply-to"), plan.replyTo);
    if (!same || rawValues(h, "reply-to").length !== 1) {
      put(h, "reply-to", "Reply-To", list.map(formatted).join(", "));
      fixes.push("reply-to-set");
    }
  }
  return fixes;
}
