/**
 * The values the sandbox's PowerShell runner works with: strings, numbers, booleans, $null, arrays,
 * hashtables (case-insensitive keys, insertion order kept, as @{} literals are), byte arrays and
 * objects returned by cmdlets (a type name and ordered properties), plus PowerShell's default
 * list formatting for the transcript.
 */
import type { TraceValue } from "./session";

export type PSValue = string | number | boolean | null | Uint8Array | PSValue[] | PSHash | PSObject;

export class PSHash {
  private readonly map = new Map<string, { key: string; value: PSValue }>();
  set(key: string, value: PSValue): void {
    this.map.set(key.toLowerCase(), { key, value });
  }
  get(key: string): PSValue | undefined {
    return this.map.get(key.toLowerCase())?.value;
  }
  has(key: string): boolean {
    return this.map.has(key.toLowerCase());
  }
  keys(): string[] {
    return [...this.map.values()].map((e) => e.key);
  }
  entries(): [string, PSValue][] {
    return [...this.map.values()].map((e) => [e.key, e.value]);
  }
}

export class PSObject {
  constructor(readonly typeName: string, readonly props: Record<string, PSValue>) {}
  get(name: string): PSValue | undefined {
    const k = Object.keys(this.props).find((p) => p.toLowerCase() === name.toLowerCase());
    return k === undefined ? undefined : this.props[k];
  }
}

/** A value as JSON for the runner's trace: hashtables as objects, bytes as {"base64": …}, objects as {"type": …}. */
export function traceValue(v: PSValue | undefined): TraceValue {
  if (v === undefined || v === null) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (v instanceof Uint8Array) return { base64: Buffer.from(v).toString("base64") };
  if (Array.isArray(v)) return v.map(traceValue);
  if (v instanceof PSHash) return Object.fromEntries(v.entries().map(([k, x]) => [k, traceValue(x)]));
  return { type: v.typeName };
}

/** How PowerShell turns a value into text inside "…" and for Write-Host. */
export function toText(v: PSValue | undefined): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  if (v instanceof Uint8Array) return Array.from(v).join(" ");
  if (Array.isArray(v)) return v.map(toText).join(" ");
  if (v instanceof PSHash) return "System.Collections.Hashtable";
  return v.typeName;
}

/** Format-List, PowerShell's default view for objects with many properties. */
export function formatList(o: PSObject): string {
  const keys = Object.keys(o.props);
  const width = Math.max(...keys.map((k) => k.length));
  const lines = keys.map((k) => {
    const v = o.props[k] ?? null;
    const text = Array.isArray(v) ? `{${v.map(toText).join(", ")}}` : toText(v);
    return `${k.padEnd(width)} : ${text}`;
  });
  return ["", ...lines, ""].join("\n");
}

export function formatOutput(v: PSValue): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v.flatMap(formatOutput);
  if (v instanceof PSObject) return [formatList(v)];
  if (v instanceof PSHash) {
    const keys = v.keys();
    const w = Math.max(4, ...keys.map((k) => k.length));
    return ["", `${"Name".padEnd(w)} Value`, `${"----".padEnd(w)} -----`, ...v.entries().map(([k, x]) => `${k.padEnd(w)} ${toText(x)}`), ""];
  }
  return [toText(v)];
}
