/**
 * before → after as lines a person can read: only the fields that changed, nested objects flattened
 * to dotted names ("restriction.mode"). Pure and browser-safe; the values are already redacted.
 */
export interface ChangeLine {
  field: string;
  /** Display text; null when the field did not exist on that side. */
  before: string | null;
  after: string | null;
}

export interface Change {
  lines: ChangeLine[];
  /** Fields present on both sides with the same value (not listed). */
  unchanged: number;
}

const MAX_DEPTH = 3;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** "a.b.c" → value, for plain objects; arrays and scalars are leaves. */
function flatten(v: unknown, prefix = "", depth = 0, out = new Map<string, unknown>()): Map<string, unknown> {
  if (isPlainObject(v) && depth < MAX_DEPTH && Object.keys(v).length > 0) {
    for (const [k, child] of Object.entries(v)) flatten(child, prefix ? `${prefix}.${k}` : k, depth + 1, out);
  } else if (prefix) out.set(prefix, v);
  return out;
}

export function display(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  return JSON.stringify(v) ?? String(v);
}

export function diffAudit(before: unknown, after: unknown): Change {
  const absent = (v: unknown) => v === null || v === undefined;
  if (!isPlainObject(before ?? {}) || !isPlainObject(after ?? {})) {
    // A scalar or a list on either side: show the two values whole.
    const same = JSON.stringify(before) === JSON.stringify(after);
    return same
      ? { lines: [], unchanged: 1 }
      : { lines: [{ field: "", before: absent(before) ? null : display(before), after: absent(after) ? null : display(after) }], unchanged: 0 };
  }
  const b = flatten(before ?? {});
  const a = flatten(after ?? {});
  const lines: ChangeLine[] = [];
  let unchanged = 0;
  for (const field of new Set([...b.keys(), ...a.keys()])) {
    const inB = b.has(field);
    const inA = a.has(field);
    if (inB && inA && JSON.stringify(b.get(field)) === JSON.stringify(a.get(field))) {
      unchanged++;
      continue;
    }
    lines.push({ field, before: inB ? display(b.get(field)) : null, after: inA ? display(a.get(field)) : null });
  }
  return { lines, unchanged };
}
