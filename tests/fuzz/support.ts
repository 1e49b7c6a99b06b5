/**
 * What every fuzz file shares: hostile input generators (fast-check), the property every entry point
 * must hold — a refusal is a clear 4xx or a field-error action state naming the field, never a 5xx, a
 * throw or a stack trace — and a row counter to prove nothing was saved half-way.
 *
 * Seeds are fixed per property (derived from its name), so a run is repeatable; fast-check prints the
 * seed and the shrunk counterexample on failure. FUZZ_SEED changes them all at once to explore further.
 */
import fc from "fast-check";
import { expect } from "vitest";

export { fc };

export const NUM_RUNS = 1000;

function seedOf(name: string): number {
  let h = Number(process.env.FUZZ_SEED ?? 20261203) | 0;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

/** fc.assert with at least NUM_RUNS runs and a fixed seed named after the property. */
export async function holds<T>(name: string, arb: fc.Arbitrary<T>, check: (v: T) => Promise<void>, opts: { numRuns?: number } = {}): Promise<void> {
  await fc.assert(fc.asyncProperty(arb, check), { numRuns: Math.max(NUM_RUNS, opts.numRuns ?? 0), seed: seedOf(name), endOnFailure: false });
}

// ---- hostile strings ----

const HUGE = "x".repeat(70_000);
/** Past the compose body's 2,000,000 characters: used sparingly (one field), it costs time on every check. */
export const VERY_HUGE = "y".repeat(2_000_001);

/** Fixed hostile fragments: control characters, injection, confusables, bidi tricks, lone surrogates. */
export const HOSTILE_FRAGMENTS = [
  "",
  " ",
  "\t",
  "\r\n",
  "\r",
  "\n",
  "\u0000",
  "a\u0000b",
  "\u0007\u001b[31m",
  "\u007f",
  "\u0085",
  "\u2028",
  "\u2029",
  "\u200b",
  "\ufeff",
  "\u202e",
  "\ud800",
  "\udfff",
  "😀",
  "é",
  "ﬀ",
  "ß",
  "İ",
  "а", // Cyrillic a
  "ᴀ",
  "ｘ",
  "＠",
  "．",
  "%00",
  "%0d%0a",
  "\\",
  '"',
  "'",
  "<",
  ">",
  ";",
  ",",
  ":",
  "@",
  "@@",
  "..",
  "../",
  "..\\",
  "/",
  "C:\\",
  "{{7*7}}",
  "${jndi:ldap://x}",
  "%s%n",
  "<script>alert(1)</script>",
  "'; drop table \"User\"; --",
  "\r\nBcc: attacker@evil.example",
  "\nX-Injected: 1",
  "true",
  "false",
  "on",
  "null",
  "undefined",
  "0",
  "-1",
  "1e309",
  "NaN",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "admin",
];

const fragment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  { weight: 1, arbitrary: fc.emailAddress() },
);

/** A hostile string: fragments glued together, sometimes empty, sometimes huge. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 16, arbitrary: fc.array(fragment, { minLength: 1, maxLength: 5 }).map((p) => p.join("")) },
  { weight: 2, arbitrary: fc.constantFrom("", "   ") },
  { weight: 1, arbitrary: fc.constantFrom(HUGE, `${HUGE}\r\n`, `\u0000${HUGE}`) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
);

/** A value of a wrong JSON type where a string (or anything) was expected. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("a", "__proto__", "toString", "length"), fc.oneof(fc.string(), fc.integer()), { maxKeys: 2 }),
);

/** Any JSON value a hostile client could put in a field. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof({ weight: 3, arbitrary: hostileString }, { weight: 2, arbitrary: wrongType });

// ---- hostile addresses ----

const confusable = (s: string) => s.replace(/a/g, "а").replace(/o/g, "ο"); // Cyrillic a, Greek omicron

/** Addresses, valid ones included, plus every trick a field of addresses might be handed. */
export const hostileAddress: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.emailAddress() },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.emailAddress(), fc.constantFrom(...HOSTILE_FRAGMENTS), fc.nat(3)).map(([e, f, where]) => {
      const at = e.indexOf("@");
      return [f + e, e + f, e.slice(0, at) + f + e.slice(at), e.slice(0, at + 1) + f + e.slice(at + 1)][where]!;
    }),
  },
  { weight: 1, arbitrary: fc.emailAddress().map(confusable) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "a@b",
      "@x.com",
      "a@",
      "a@@x.com",
      "a@x..com",
      "<a@x.com>",
      "Name <a@x.com>",
      '"Quoted, Name" <a@x.com>',
      "a@x.com, b@x.com",
      "a@x.com\r\nBcc: c@evil.example",
      "a@x.com\u0000",
      "a\u0000@x.com",
      "mailto:a@x.com",
      `${"l".repeat(250)}@x.com`,
      `a@${"d".repeat(300)}.com`,
      "a@x.com ",
      " a@x.com",
      "ADMIN@CONTOSO.COM",
      "аdmin@contoso.com",
      "admin@contoso.com\u200b",
      "admin@xn--80ak6aa92e.com",
      "admin@[127.0.0.1]",
      "admin@localhost",
      "a@x.c",
      "\u202eadmin@contoso.com",
    ),
  },
);

/** File names with path tricks: traversal, absolute paths, NUL, reserved Windows names, bidi, huge. */
export const hostileFileName: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "../../../etc/passwd",
      "..\\..\\..\\windows\\win.ini",
      "/etc/shadow",
      "C:\\Windows\\System32\\drivers\\etc\\hosts",
      "\\\\server\\share\\file.txt",
      "file\u0000.txt.exe",
      "CON",
      "con.txt",
      "NUL",
      "PRN.pdf",
      "AUX",
      "COM1",
      "LPT9.doc",
      ".htaccess",
      "...",
      ".",
      "..",
      "....//....//x",
      "%2e%2e%2fx",
      "report\u202efdp.exe",
      "a:b.txt",
      "a|b?.txt",
      " ",
      "",
      "x".repeat(1000),
      "名前.txt",
      "😀.png",
      "invoice.pdf",
    ),
  },
  { weight: 1, arbitrary: fc.array(fc.constantFrom("..", ".", "/", "\\", "a", "\u0000", "CON", ":", " "), { minLength: 1, maxLength: 8 }).map((p) => p.join("")) },
  { weight: 1, arbitrary: hostileString },
);

// ---- FormData ----

export type FormValue = string | File | string[];

/** One form field's value as a browser (or a forged post) can send it: a string, a file, or repeated. */
export const formValue = (str: fc.Arbitrary<string> = hostileString): fc.Arbitrary<FormValue | undefined> =>
  fc.oneof(
    { weight: 6, arbitrary: str },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.array(str, { minLength: 2, maxLength: 3 }) },
    { weight: 1, arbitrary: hostileFileName.map((name) => new File(["x"], name, { type: "text/plain" })) },
  );

/** A string as FormData carries it (a USVString: each unpaired surrogate becomes U+FFFD, as UTF-8 on the wire forces). */
export const usv = (s: string): string => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

export function formData(fields: Record<string, FormValue | undefined>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) fd.append(k, x);
    else fd.append(k, v);
  }
  return fd;
}

// ---- the property ----

const STACK = /\n\s+at |\bat .+:\d+:\d+|node_modules|prisma|PrismaClient|invalid byte sequence|Invariant|TypeError|ReferenceError/i;

export interface ActionStateLike {
  status: string;
  message?: string;
  fields?: Record<string, string>;
  code?: string;
}

/**
 * A refused action: an error state whose message is shown as is (no internals, no "something went
 * wrong"), and which either names the input's fields (`fields` keyed by form field) or carries the
 * AppError code of a 4xx (unknown tenant, …). An action state cannot carry a status, so the code decides:
 * the wrapper's catch-all (a 500's twin) has none.
 */
export function expectFieldRefusal(state: ActionStateLike, knownFields: readonly string[], ctx: string): void {
  expect(state.status, ctx).toBe("error");
  expect(typeof state.message, ctx).toBe("string");
  expect(state.message, ctx).not.toMatch(/Something went wrong/);
  expect(state.message, ctx).not.toMatch(STACK);
  const fields = Object.keys(state.fields ?? {});
  if (fields.length === 0) {
    expect(state.code, `${ctx}: a refusal without fields must be a known 4xx`).toMatch(/^[A-Z_]+$|^invalid_grant$/);
    return;
  }
  for (const f of fields) {
    expect(knownFields, `${ctx}: field "${f}" is not a field of the form`).toContain(f.split(".")[0]);
    expect(state.fields![f]!.length, ctx).toBeGreaterThan(0);
    expect(state.fields![f], ctx).not.toMatch(STACK);
  }
}

export interface ErrorBody {
  error?: { code?: string; message?: string; fields?: Record<string, string> };
}

/** A refused route call: 4xx with a JSON error whose message is clear; field errors name request fields. */
export function expectClientError(status: number, body: ErrorBody | null, knownFields: readonly string[], ctx: string): void {
  expect(status, ctx).toBeGreaterThanOrEqual(400);
  expect(status, ctx).toBeLessThan(500);
  expect(body?.error?.code, ctx).toMatch(/^[A-Za-z_]+$/);
  expect(body?.error?.message, ctx).toBeTruthy();
  expect(body?.error?.message, ctx).not.toMatch(STACK);
  for (const [f, m] of Object.entries(body?.error?.fields ?? {})) {
    expect(knownFields, `${ctx}: field "${f}" is not a request field`).toContain(f.split(".")[0]);
    expect(m, ctx).not.toMatch(STACK);
  }
}

let countSql: string | undefined;

/** Tables kept by the database from others (see rowCounts). */
const DERIVED_TABLES = new Set(["SendCountDelta", "SendDayCount", "SendDayStatus", "SendDaySender"]);

/** Row counts of every table in the database but the derived ones, in one query. */
export async function rowCounts(): Promise<Record<string, number>> {
  const { db } = await import("@/lib/db");
  if (!countSql) {
    let tables = await db().$queryRawUnsafe<{ s: string; t: string }[]>(
      `select table_schema::text as s, table_name::text as t from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE' and table_name not like '\\_prisma%' order by 1, 2`,
    );
    // History's chart rollups are derived from "Send" by its triggers and folded in the background
    // (migration 20261207090000): counted through "Send" itself, they would only add timing to these checks.
    tables = tables.filter(({ t }) => !DERIVED_TABLES.has(t));
    countSql = `select ${tables.map(({ s, t }) => `(select count(*)::int from "${s}"."${t}") as "${t}"`).join(", ")}`;
  }
  const [row] = await db().$queryRawUnsafe<Record<string, number>[]>(countSql);
  return row!;
}

/** Changes between two row counts, as { table: delta } for tables that changed. */
export function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const d: Record<string, number> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const n = (after[k] ?? 0) - (before[k] ?? 0);
    if (n !== 0) d[k] = n;
  }
  return d;
}

/** Describes an input for an assertion message without dumping megabytes. */
export function show(v: unknown): string {
  const s = JSON.stringify(v, (_k, x: unknown) => (x instanceof File ? `File(${x.name})` : typeof x === "string" && x.length > 80 ? `${x.slice(0, 80)}…(${x.length})` : x));
  return s && s.length > 600 ? `${s.slice(0, 600)}…` : String(s);
}
