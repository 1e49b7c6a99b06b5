import "server-only";
import { core, literalValue, walk, type Node } from "./parse";

/** `$p`, `@p`, `${p}`, `$script:p` → "p" (PowerShell variable names are case-insensitive). */
export function variableName(text: string): string {
  return text
    .replace(/^[$@]/, "")
    .replace(/^\{(.*)\}$/s, "$1")
    .replace(/^(script|global|local|private|using):/i, "")
    .toLowerCase();
}

export interface SplatEntry {
  /** The key as written (null when computed: `$p[$name] = …`). */
  key: string | null;
  /** The node to rewrite when the key is an abbreviation: a bare name or a string literal's core. */
  keyNode: Node;
  value: Node;
  /** Where the entry was written (a hashtable literal, .Add(), ['K'] =, .K =). */
  at: Node;
}

export type SplatState = { known: true; entries: SplatEntry[]; builtAt: Node } | { known: false; reason: string; at?: Node };

interface Event {
  index: number;
  apply(state: SplatState | undefined): SplatState | undefined;
}

function hashEntries(hash: Node): SplatEntry[] {
  const out: SplatEntry[] = [];
  for (const e of hash.descendantsOfType("hash_entry")) {
    // Only this hashtable's own entries, not those of a nested one.
    if (closestHash(e) !== hash) continue;
    const keyExpr = e.namedChildren.find((c) => c.type === "key_expression");
    const value = e.namedChildren.find((c) => c !== keyExpr && c.type !== "comment");
    if (!keyExpr || !value) continue;
    const keyCore = core(keyExpr.namedChildren[0] ?? keyExpr);
    out.push({ key: literalValue(keyCore), keyNode: keyCore, value, at: e });
  }
  return out;
}

function closestHash(n: Node): Node | null {
  for (let p = n.parent; p; p = p.parent) if (p.type === "hash_literal_expression") return p;
  return null;
}

function set(state: SplatState | undefined, entry: SplatEntry): SplatState | undefined {
  if (!state || !state.known) return state;
  const k = entry.key?.toLowerCase();
  const entries = k === undefined ? state.entries : state.entries.filter((e) => e.key?.toLowerCase() !== k);
  return { ...state, entries: [...entries, entry] };
}

/**
 * Everything the file does to variable `name` that changes it as a hashtable, in source order: `$p = @{…}`,
 * `$p += @{…}`, `$p.Add('K', v)`, `$p['K'] = v`, `$p.K = v`, `$p.Remove('K')`, and any other assignment
 * (which makes it unknown). Scopes and branches are not followed: the last event before the call counts.
 */
function eventsFor(root: Node, name: string): Event[] {
  const events: Event[] = [];
  for (const n of walk(root)) {
    if (n.type === "assignment_expression") {
      const left = core(n.namedChildren[0]!);
      const op = n.namedChildren.find((c) => c.type === "assignement_operator")?.text ?? "=";
      const value = n.namedChildren[n.namedChildren.length - 1]!;
      if (left.type === "variable" && variableName(left.text) === name) {
        const v = core(value);
        if (op === "=" && v.type === "hash_literal_expression") {
          const entries = hashEntries(v);
          events.push({ index: n.startIndex, apply: () => ({ known: true, entries, builtAt: n }) });
        } else if (op === "+=" && v.type === "hash_literal_expression") {
          const entries = hashEntries(v);
          events.push({ index: n.startIndex, apply: (s) => entries.reduce<SplatState | undefined>((acc, e) => set(acc, e), s) });
        } else {
          events.push({ index: n.startIndex, apply: () => ({ known: false, reason: `it is assigned from ${truncate(value.text)}`, at: n }) });
        }
      } else if (left.type === "element_access" && targetIs(left, name)) {
        const keyNode = core(left.namedChildren[1]!);
        events.push({ index: n.startIndex, apply: (s) => set(s, { key: literalValue(keyNode), keyNode, value, at: n }) });
      } else if (left.type === "member_access" && targetIs(left, name)) {
        const member = left.namedChildren.find((c) => c.type === "member_name");
        const keyNode = member?.namedChildren.length === 1 ? member.namedChildren[0]! : (member ?? left);
        events.push({ index: n.startIndex, apply: (s) => set(s, { key: literalValue(keyNode), keyNode, value, at: n }) });
      }
    } else if (n.type === "invokation_expression" && targetIs(n, name)) {
      const method = n.namedChildren.find((c) => c.type === "member_name")?.text.toLowerCase();
      const list = n.namedChildren.find((c) => c.type === "argument_list")?.namedChildren.find((c) => c.type === "argument_expression_list");
      const direct = list?.namedChildren.filter((c) => c.type === "argument_expression") ?? [];
      if (method === "add" && direct.length === 2) {
        const keyNode = core(direct[0]!);
        events.push({ index: n.startIndex, apply: (s) => set(s, { key: literalValue(keyNode), keyNode, value: direct[1]!, at: n }) });
      } else if (method === "remove" && direct.length === 1) {
        const key = literalValue(direct[0]!)?.toLowerCase();
        events.push({
          index: n.startIndex,
          apply: (s) => (s?.known && key !== undefined ? { ...s, entries: s.entries.filter((e) => e.key?.toLowerCase() !== key) } : s),
        });
      } else if (method === "clear") {
        events.push({ index: n.startIndex, apply: (s) => (s?.known ? { ...s, entries: [] } : s) });
      }
    }
  }
  return events.sort((a, b) => a.index - b.index);
}

function targetIs(n: Node, name: string): boolean {
  const first = n.namedChildren[0];
  return !!first && first.type === "variable" && variableName(first.text) === name;
}

const truncate = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}…` : s).replace(/\s+/g, " ");

/** The hashtable `@name` splats at `call`, as the file built it up to there. */
export function resolveSplat(root: Node, name: string, call: Node): SplatState {
  if (name === "psboundparameters" || name === "args") return { known: false, reason: `@${name} holds what the script or function was called with` };
  let state: SplatState | undefined;
  for (const e of eventsFor(root, name)) {
    if (e.index >= call.startIndex) break;
    state = e.apply(state);
  }
  return state ?? { known: false, reason: `$${name} is not built in this file` };
}

/** The last `$name = '<literal>'` before `before`, or null. */
export function literalAssignment(root: Node, name: string, before: number): { value: string; line: number } | null {
  let found: { value: string; line: number } | null = null;
  for (const n of walk(root)) {
    if (n.startIndex >= before) break;
    if (n.type !== "assignment_expression") continue;
    const left = core(n.namedChildren[0]!);
    if (left.type !== "variable" || variableName(left.text) !== name) continue;
    const op = n.namedChildren.find((c) => c.type === "assignement_operator")?.text;
    const v = literalValue(n.namedChildren[n.namedChildren.length - 1]!);
    found = op === "=" && v !== null ? { value: v, line: n.startPosition.row + 1 } : null;
  }
  return found;
}

