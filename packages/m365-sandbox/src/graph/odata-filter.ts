/**
 * The part of OData $filter that the directory endpoints need (graph/filter-query-parameter):
 *   prop eq|ne|ge|le|gt|lt value, startswith(prop,'x'), and, or, not(…), parentheses.
 * Values: 'strings' ('' escapes a quote), true/false/null, numbers, and DateTimeOffset literals
 * such as 2024-05-01T00:00:00Z (createdDateTime). Comparisons on strings are case-insensitive, as
 * Entra's are. Properties not in the allow-list → 400 Request_UnsupportedQuery, as Graph answers.
 */
import { GraphHttpError } from "./pipeline";

export type Value = string | number | boolean | null;
export type FilterNode = Node;
type Node =
  | { t: "cmp"; prop: string; op: string; v: Value }
  | { t: "startswith"; prop: string; v: string }
  | { t: "and" | "or"; a: Node; b: Node }
  | { t: "not"; a: Node };

const invalid = (detail: string) => new GraphHttpError(400, "BadRequest", `Invalid filter clause: ${detail}`);

export function parseFilter(src: string, allowed: Map<string, string>, resource: string): Node {
  const toks: string[] = [];
  const re = /\s*('(?:[^']|'')*'|\(|\)|,|[A-Za-z_][A-Za-z0-9_./]*|[0-9][0-9:.TZ+-]*)/y;
  let i = 0;
  while (i < src.length) {
    if (/^\s+$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw invalid(`syntax error at position ${i} in '${src}'.`);
    toks.push(m[1]!);
    i = re.lastIndex;
  }
  let p = 0;
  const peek = () => toks[p];
  const take = (want?: string) => {
    const t = toks[p++];
    if (t === undefined || (want && t.toLowerCase() !== want)) throw invalid(`expected ${want ?? "more input"} in '${src}'.`);
    return t;
  };
  const propName = (raw: string) => {
    const name = allowed.get(raw.toLowerCase());
    if (!name) throw new GraphHttpError(400, "Request_UnsupportedQuery", `Unsupported or invalid query filter clause specified for property '${raw}' of resource '${resource}'.`);
    return name;
  };
  const value = (): Value => {
    const t = take();
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (/^(true|false)$/i.test(t)) return t.toLowerCase() === "true";
    if (/^null$/i.test(t)) return null;
    if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
      if (Number.isNaN(Date.parse(t))) throw invalid(`'${t}' is not a valid DateTimeOffset.`);
      return t;
    }
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    throw invalid(`unexpected '${t}'.`);
  };
  const primary = (): Node => {
    const t = peek();
    if (t === "(") { take(); const n = or(); take(")"); return n; }
    if (t?.toLowerCase() === "not") { take(); take("("); const n = or(); take(")"); return { t: "not", a: n }; }
    if (t?.toLowerCase() === "startswith") {
      take(); take("(");
      const prop = propName(take());
      take(",");
      const v = value();
      take(")");
      if (typeof v !== "string") throw invalid("startswith needs a string.");
      return { t: "startswith", prop, v };
    }
    const prop = propName(take());
    const op = take().toLowerCase();
    if (!["eq", "ne", "ge", "le", "gt", "lt"].includes(op)) throw invalid(`unsupported operator '${op}'.`);
    return { t: "cmp", prop, op, v: value() };
  };
  const and = (): Node => {
    let n = primary();
    while (peek()?.toLowerCase() === "and") { take(); n = { t: "and", a: n, b: primary() }; }
    return n;
  };
  const or = (): Node => {
    let n = and();
    while (peek()?.toLowerCase() === "or") { take(); n = { t: "or", a: n, b: and() }; }
    return n;
  };
  const n = or();
  if (p !== toks.length) throw invalid(`unexpected '${toks[p]}'.`);
  return n;
}

function compare(a: Value | undefined, op: string, b: Value): boolean {
  if (a === undefined) a = null;
  if (op === "eq") return typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;
  if (op === "ne") return !compare(a, "eq", b);
  if (a === null || b === null) return false;
  const isDate = typeof a === "string" && typeof b === "string" && /^\d{4}-\d{2}-\d{2}T/.test(a) && /^\d{4}-\d{2}-\d{2}/.test(b);
  const x = isDate ? Date.parse(a as string) : typeof a === "string" ? a.toLowerCase() : a;
  const y = isDate ? Date.parse(b as string) : typeof b === "string" ? b.toLowerCase() : b;
  if (op === "ge") return x >= y;
  if (op === "le") return x <= y;
  if (op === "gt") return x > y;
  return x < y;
}

export function matches(n: Node, row: Record<string, unknown>): boolean {
  switch (n.t) {
    case "and": return matches(n.a, row) && matches(n.b, row);
    case "or": return matches(n.a, row) || matches(n.b, row);
    case "not": return !matches(n.a, row);
    case "startswith": {
      const v = row[n.prop];
      return typeof v === "string" && v.toLowerCase().startsWith(n.v.toLowerCase());
    }
    case "cmp": return compare(row[n.prop] as Value | undefined, n.op, n.v);
  }
}
