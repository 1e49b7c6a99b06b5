import Parser from "tree-sitter";
import PowerShell from "tree-sitter-powershell";

/**
 * Walking PowerShell syntax trees (tree-sitter-powershell) for the generated module's tests: the
 * commands a script calls and their arguments, string literals decoded the way PowerShell reads them,
 * and a small data-flow over one module — what a variable holds (the hashtable literals assigned to it,
 * keys added later with `$x.key =` / `$x['key'] =`, items added with `+=`), followed through a function's
 * parameters to its callers and through a module function's `return` — enough to read the JSON bodies
 * and headers of its HTTP requests without running PowerShell.
 */
export type Node = Parser.SyntaxNode;

const parser = new Parser();
parser.setLanguage(PowerShell as unknown as Parser.Language);

export function parsePs(text: string): Parser.Tree {
  return parser.parse(text);
}

/** Nodes that only wrap one expression (the grammar's precedence ladder). */
const WRAPPERS = new Set([
  "pipeline", "pipeline_chain", "logical_expression", "bitwise_expression", "comparison_expression", "additive_expression",
  "multiplicative_expression", "format_expression", "range_expression", "array_literal_expression", "unary_expression",
  "left_assignment_expression", "string_literal", "key_expression", "parenthesized_expression",
]);

export function unwrap(n: Node): Node {
  let cur = n;
  while (WRAPPERS.has(cur.type) && cur.namedChildCount === 1) cur = cur.namedChild(0)!;
  return cur;
}

const QUOTES = "'\u2018\u2019\u201A\u201B";

/** A verbatim string token's value as PowerShell reads it (any of the five single quotes, doubled). */
export function decodeVerbatim(token: string): string {
  if (!QUOTES.includes(token[0]!)) throw new Error(`not a verbatim string: ${token}`);
  let out = "";
  let i = 1;
  for (;;) {
    if (i >= token.length) throw new Error(`PowerShell would find no end to ${JSON.stringify(token)}`);
    const c = token[i]!;
    if (QUOTES.includes(c)) {
      const next = token[i + 1];
      if (next === undefined) break;
      if (!QUOTES.includes(next)) throw new Error(`PowerShell would end the literal early in ${JSON.stringify(token)}`);
      out += next;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The value of a literal node (verbatim string, bare key name, integer), or null when it is not a literal. */
export function literal(n: Node): string | null {
  const u = unwrap(n);
  if (u.type === "verbatim_string_characters") return decodeVerbatim(u.text);
  if (u.type === "simple_name" || u.type === "generic_token") return u.text;
  if (u.type === "integer_literal") return u.text;
  return null;
}

export interface Command {
  node: Node;
  name: string;
  /** Lower-cased parameter name (no dash) → its argument node (null for a switch). */
  args: Map<string, Node | null>;
  fn: Node | null;
}

export function commandArgs(cmd: Node): Map<string, Node | null> {
  const out = new Map<string, Node | null>();
  const elements = cmd.namedChildren.find((c) => c.type === "command_elements");
  if (!elements) return out;
  const kids = elements.namedChildren.filter((c) => c.type !== "command_argument_sep");
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i]!;
    if (k.type !== "command_parameter") continue;
    const name = k.text.replace(/^-/, "").replace(/:$/, "").toLowerCase();
    const next = kids[i + 1];
    if (next && next.type !== "command_parameter") {
      out.set(name, next);
      i++;
    } else out.set(name, null);
  }
  return out;
}

export function enclosingFunction(n: Node): Node | null {
  for (let p: Node | null = n.parent; p; p = p.parent) if (p.type === "function_statement") return p;
  return null;
}

export function functionName(fn: Node): string {
  return fn.namedChildren.find((c) => c.type === "function_name")!.text;
}

export function commands(root: Node, ...names: string[]): Command[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return root
    .descendantsOfType("command")
    .map((c) => ({ c, name: c.namedChildren.find((x) => x.type === "command_name")?.text ?? "" }))
    .filter(({ name }) => wanted.size === 0 || wanted.has(name.toLowerCase()))
    .map(({ c, name }) => ({ node: c, name, args: commandArgs(c), fn: enclosingFunction(c) }));
}

export function functions(root: Node): Map<string, Node> {
  return new Map(root.descendantsOfType("function_statement").map((f) => [functionName(f).toLowerCase(), f]));
}

// ---------------------------------------------------------------------------------------------------
// Shapes: what a value is, as far as JSON cares

export type Shape =
  | { kind: "object"; props: Map<string, Shape[]> }
  | { kind: "array"; items: Shape[] }
  | { kind: "scalar"; node: Node; literal: string | null };

interface Assignment {
  target: string;
  /** Null for the whole variable; the key for `$x.key =` or `$x['key'] =`. */
  key: string | null;
  op: string;
  value: Node;
}

/** The variable a node names, lower-cased, without `$` (scope prefixes kept: `script:x`). */
export function variableName(n: Node): string | null {
  const u = unwrap(n);
  return u.type === "variable" ? u.text.replace(/^\$/, "").toLowerCase() : null;
}

function assignmentsIn(scope: Node): Assignment[] {
  const out: Assignment[] = [];
  for (const a of scope.descendantsOfType("assignment_expression")) {
    // Assignments in a nested function belong to that function.
    if (scope.type === "function_statement" && enclosingFunction(a)?.id !== scope.id) continue;
    const [left, op, value] = [a.namedChild(0)!, a.namedChildren.find((c) => c.type === "assignement_operator")!, a.namedChildren.at(-1)!];
    const l = unwrap(left);
    if (l.type === "variable") out.push({ target: variableName(l)!, key: null, op: op.text, value });
    else if (l.type === "member_access") {
      const v = variableName(l.namedChild(0)!);
      const key = l.namedChildren.find((c) => c.type === "member_name")?.text;
      if (v && key) out.push({ target: v, key, op: op.text, value });
    } else if (l.type === "element_access") {
      const v = variableName(l.namedChild(0)!);
      const key = literal(l.namedChild(1)!);
      if (v && key !== null) out.push({ target: v, key, op: op.text, value });
    }
  }
  return out;
}

export class ModuleFlow {
  readonly fns: Map<string, Node>;
  constructor(readonly root: Node) {
    this.fns = functions(root);
  }

  /** The nodes a variable may hold at `at` (its function's assignments; a parameter's arguments at each call). */
  shapesOfVariable(name: string, at: Node, depth = 0): Shape[] {
    if (depth > 12) return [];
    const fn = enclosingFunction(at);
    const scope = name.startsWith("script:") || !fn ? this.root : fn;
    const own = assignmentsIn(scope).filter((a) => a.target === name);
    const shapes: Shape[] = [];
    const props = new Map<string, Shape[]>();
    for (const a of own) {
      if (a.key !== null) props.set(a.key, [...(props.get(a.key) ?? []), ...this.shapes(a.value, depth + 1)]);
      else if (a.op === "+=") shapes.push({ kind: "array", items: this.shapes(a.value, depth + 1) });
      else shapes.push(...this.shapes(a.value, depth + 1));
    }
    if (own.filter((a) => a.key === null).length === 0 && fn) shapes.push(...this.parameterShapes(fn, name, depth + 1));
    // Keys added later join every object the variable holds.
    for (const s of shapes) if (s.kind === "object") for (const [k, v] of props) s.props.set(k, [...(s.props.get(k) ?? []), ...v]);
    return mergeArrays(shapes);
  }

  private parameterShapes(fn: Node, name: string, depth: number): Shape[] {
    const params = fn.descendantsOfType("script_parameter").map((p) => p.namedChildren.find((c) => c.type === "variable")?.text.replace(/^\$/, "").toLowerCase());
    if (!params.includes(name)) return [];
    const out: Shape[] = [];
    for (const call of commands(this.root, functionName(fn))) {
      const arg = call.args.get(name);
      if (arg) out.push(...this.shapes(arg, depth + 1));
    }
    return out;
  }

  /** What an expression evaluates to, as JSON shapes. */
  shapes(n: Node, depth = 0): Shape[] {
    if (depth > 12) return [];
    const u = unwrap(n);
    switch (u.type) {
      case "hash_literal_expression": {
        const props = new Map<string, Shape[]>();
        for (const e of u.descendantsOfType("hash_entry")) {
          if (e.parent?.parent?.id !== u.id) continue;
          const key = literal(e.namedChildren.find((c) => c.type === "key_expression")!);
          if (key !== null) props.set(key, this.shapes(e.namedChildren.at(-1)!, depth + 1));
        }
        return [{ kind: "object", props }];
      }
      case "array_expression": {
        const items = u.namedChildren.flatMap((c) => (c.type === "statement_list" ? c.namedChildren : [c])).flatMap((s) => this.shapes(s, depth + 1));
        return [{ kind: "array", items }];
      }
      case "expression_with_unary_operator":
        // `,$x` wraps $x in an array that the pipeline unrolls again: the value is $x.
        if (u.text.startsWith(",")) return this.shapes(u.namedChild(0)!, depth + 1);
        return [{ kind: "scalar", node: u, literal: null }];
      case "variable": {
        const name = variableName(u)!;
        return this.shapesOfVariable(name, u, depth + 1);
      }
      case "element_access": {
        // $list[0]: an item of the array the variable holds.
        const inner = this.shapes(u.namedChild(0)!, depth + 1);
        return inner.flatMap((s) => (s.kind === "array" ? s.items : [s]));
      }
      case "command": {
        const name = u.namedChildren.find((c) => c.type === "command_name")?.text.toLowerCase() ?? "";
        const fn = this.fns.get(name);
        if (!fn) return [{ kind: "scalar", node: u, literal: null }];
        return fn.descendantsOfType("flow_control_statement").filter((r) => r.text.startsWith("return") && r.namedChildCount > 0 && enclosingFunction(r)?.id === fn.id).flatMap((r) => this.shapes(r.namedChild(0)!, depth + 1));
      }
      default:
        return [{ kind: "scalar", node: u, literal: literal(u) }];
    }
  }
}

function mergeArrays(shapes: Shape[]): Shape[] {
  const arrays = shapes.filter((s) => s.kind === "array");
  if (arrays.length < 2) return shapes;
  return [...shapes.filter((s) => s.kind !== "array"), { kind: "array", items: arrays.flatMap((a) => (a.kind === "array" ? a.items : [])) }];
}

/** Every object among the shapes, looking through arrays. */
export function objectsOf(shapes: Shape[]): Extract<Shape, { kind: "object" }>[] {
  return shapes.flatMap((s) => (s.kind === "object" ? [s] : s.kind === "array" ? objectsOf(s.items) : []));
}
