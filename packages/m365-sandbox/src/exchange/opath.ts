/**
 * A subset of OPATH, the filter language of RecipientRestrictionFilter (New-ManagementScope):
 *   Property -eq|-ne|-like|-notlike 'value'   ($null, $true, $false allowed as values)
 *   -and, -or, -not, parentheses; strings in '…' ('' escapes a quote) or "…".
 * Comparisons are case-insensitive; -like supports * and ?. Multi-valued properties
 * (EmailAddresses, MemberOfGroup) match when any value matches (-ne: when none does).
 * (exchange/filter-properties, exchange/recipient-filters/recipientfilter-properties)
 * An unknown property is an error at parse time, as Exchange refuses the scope.
 */
import type { Store } from "../model";
import { addressesOf, displayNameOf, primaryAddressOf, resolveRecipient, tenantOf, type Recipient } from "./recipients";

export class OpathError extends Error {}

type Node =
  | { t: "cmp"; prop: string; op: "eq" | "ne" | "like" | "notlike"; value: string | null }
  | { t: "and" | "or"; a: Node; b: Node }
  | { t: "not"; a: Node };

type Tok = { k: "lp" | "rp" } | { k: "op"; v: string } | { k: "word"; v: string } | { k: "str"; v: string } | { k: "var"; v: string };

const CUSTOM = Array.from({ length: 15 }, (_, i) => `customattribute${i + 1}`);
/** Canonical names of the properties the sandbox can evaluate (lower case → display case). */
const PROPERTIES = new Map<string, string>(
  [
    "Alias", "Name", "DisplayName", "FirstName", "LastName", "Title", "Department", "Company", "City", "Office",
    "PrimarySmtpAddress", "WindowsEmailAddress", "EmailAddresses", "UserPrincipalName", "RecipientType",
    "RecipientTypeDetails", "MemberOfGroup", "ExternalDirectoryObjectId",
    ...CUSTOM.map((c) => c.replace("customattribute", "CustomAttribute")),
  ].map((p) => [p.toLowerCase(), p]),
);

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === "(") { out.push({ k: "lp" }); i++; continue; }
    if (c === ")") { out.push({ k: "rp" }); i++; continue; }
    if (c === "'" || c === '"') {
      let v = "";
      i++;
      for (;;) {
        if (i >= src.length) throw new OpathError(`Invalid filter syntax: unterminated string in "${src}".`);
        if (src[i] === c) {
          if (src[i + 1] === c) { v += c; i += 2; continue; }
          i++;
          break;
        }
        v += src[i++];
      }
      out.push({ k: "str", v });
      continue;
    }
    const m = /^(-?\$?[A-Za-z0-9_.@]+)/.exec(src.slice(i));
    if (!m) throw new OpathError(`Invalid filter syntax: unexpected '${c}' at position ${i}.`);
    const w = m[1]!;
    i += w.length;
    if (w.startsWith("-")) out.push({ k: "op", v: w.slice(1).toLowerCase() });
    else if (w.startsWith("$")) out.push({ k: "var", v: w.slice(1).toLowerCase() });
    else out.push({ k: "word", v: w });
  }
  return out;
}

export function parseOpath(src: string): Node {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const isOp = (v: string) => { const t = peek(); return t?.k === "op" && t.v === v; };
  const fail = (what: string): never => { throw new OpathError(`Invalid filter syntax: ${what} in "${src}".`); };

  const primary = (): Node => {
    const t = peek();
    if (!t) return fail("unexpected end");
    if (t.k === "lp") {
      pos++;
      const n = orExpr();
      if (peek()?.k !== "rp") fail("missing ')'");
      pos++;
      return n;
    }
    if (t.k !== "word") return fail("expected a property name");
    const prop = PROPERTIES.get(t.v.toLowerCase());
    if (!prop) throw new OpathError(`The property '${t.v}' isn't a filterable property for RecipientRestrictionFilter.`);
    pos++;
    const opTok = peek();
    if (opTok?.k !== "op" || !["eq", "ne", "like", "notlike"].includes(opTok.v)) return fail(`expected -eq, -ne, -like or -notlike after ${prop}`);
    pos++;
    const vt = peek();
    let value: string | null;
    if (vt?.k === "str" || vt?.k === "word") value = vt.v;
    else if (vt?.k === "var" && vt.v === "null") value = null;
    else if (vt?.k === "var" && (vt.v === "true" || vt.v === "false")) value = vt.v;
    else return fail(`expected a value after -${opTok.v}`);
    pos++;
    return { t: "cmp", prop, op: opTok.v as "eq" | "ne" | "like" | "notlike", value };
  };
  const notExpr = (): Node => {
    if (isOp("not")) { pos++; return { t: "not", a: notExpr() }; }
    return primary();
  };
  const andExpr = (): Node => {
    let n = notExpr();
    while (isOp("and")) { pos++; n = { t: "and", a: n, b: notExpr() }; }
    return n;
  };
  const orExpr = (): Node => {
    let n = andExpr();
    while (isOp("or")) { pos++; n = { t: "or", a: n, b: andExpr() }; }
    return n;
  };
  if (toks.length === 0) fail("empty filter");
  const n = orExpr();
  if (pos < toks.length) fail("unexpected trailing text");
  return n;
}

const likeRe = (pattern: string) =>
  new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$", "is");

function valuesOf(store: Store, r: Recipient, prop: string): string[] {
  const u = r.type === "group" ? undefined : r.user;
  const primary = primaryAddressOf(r);
  switch (prop) {
    case "Alias": return primary ? [primary.split("@")[0]!] : [];
    case "Name":
    case "DisplayName": return [displayNameOf(r)];
    case "FirstName": return u?.givenName ? [u.givenName] : [];
    case "LastName": return u?.surname ? [u.surname] : [];
    case "Title": return u?.jobTitle ? [u.jobTitle] : [];
    case "Department": return u?.department ? [u.department] : [];
    case "PrimarySmtpAddress":
    case "WindowsEmailAddress": return primary ? [primary] : [];
    case "EmailAddresses": return addressesOf(r).flatMap((a) => [a, `smtp:${a}`]);
    case "UserPrincipalName": return u ? [u.userPrincipalName] : [];
    case "RecipientTypeDetails": return [r.details];
    case "RecipientType":
      // Shared and resource mailboxes are RecipientType UserMailbox; Microsoft 365 groups are MailUniversalDistributionGroup.
      return [r.type === "mailbox" ? "UserMailbox" : r.details === "GroupMailbox" ? "MailUniversalDistributionGroup" : r.details];
    case "ExternalDirectoryObjectId": return [r.id];
    // Direct membership only: OPATH's MemberOfGroup does not expand nested groups.
    case "MemberOfGroup": return [...store.groups.values()].filter((g) => g.members.includes(r.id)).map((g) => g.id);
    // Company, City, Office and CustomAttribute1–15 are not modelled: always empty ($null).
    default: return [];
  }
}

/** MemberOfGroup values are group identities: a DN ("CN=Name,OU=…"), an address, a name or an id. */
function groupIdFor(store: Store, tenantId: string, value: string): string | undefined {
  const cn = /^CN=([^,]+)/i.exec(value)?.[1];
  const r = resolveRecipient(store, tenantId, cn ?? value);
  return r?.type === "group" ? r.id : undefined;
}

export function evaluateOpath(store: Store, node: Node, r: Recipient): boolean {
  switch (node.t) {
    case "and": return evaluateOpath(store, node.a, r) && evaluateOpath(store, node.b, r);
    case "or": return evaluateOpath(store, node.a, r) || evaluateOpath(store, node.b, r);
    case "not": return !evaluateOpath(store, node.a, r);
    case "cmp": {
      const vals = valuesOf(store, r, node.prop);
      if (node.value === null) {
        const empty = vals.length === 0 || vals.every((v) => v === "");
        return node.op === "ne" || node.op === "notlike" ? !empty : empty;
      }
      let want = node.value;
      if (node.prop === "MemberOfGroup" && !/[*?]/.test(want)) want = groupIdFor(store, tenantOf(r), want) ?? `\u0000${want}`;
      const hit = node.op === "like" || node.op === "notlike"
        ? vals.some((v) => likeRe(want).test(v))
        : vals.some((v) => v.toLowerCase() === want.toLowerCase());
      return node.op === "eq" || node.op === "like" ? hit : !hit;
    }
  }
}

/** Parses and evaluates; throws OpathError for a bad filter. */
export function matchesFilter(store: Store, filter: string, r: Recipient): boolean {
  return evaluateOpath(store, parseOpath(filter), r);
}
