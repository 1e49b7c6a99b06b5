import "server-only";
import type Parser from "tree-sitter";

export type Node = Parser.SyntaxNode;
export type Tree = Parser.Tree;

let parser: Promise<Parser> | undefined;

/**
 * The real PowerShell grammar (tree-sitter-powershell), the one the wizard's tests prove generated scripts
 * with. Loaded with import(): the grammar's binding uses top-level await, which require() cannot load; both
 * packages are native and listed in next.config.js serverExternalPackages.
 */
export async function parsePowerShell(text: string): Promise<Tree> {
  parser ??= Promise.all([import("tree-sitter"), import("tree-sitter-powershell")]).then(([ts, ps]) => {
    const p = new ts.default();
    p.setLanguage((ps.default ?? ps) as unknown as Parser.Language);
    return p;
  });
  const p = await parser;
  // tree-sitter's default 32 KiB read chunks call back into JS for each; one callback for the whole text.
  return p.parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2 + 16) });
}

/** The first syntax error (ERROR or MISSING node) as a 1-based line and column, or null when the tree is clean. */
export function firstSyntaxError(tree: Tree): { line: number; column: number } | null {
  if (!tree.rootNode.hasError) return null;
  let found: Node | null = null;
  const visit = (n: Node): void => {
    if (found) return;
    if (n.type === "ERROR" || n.isMissing) {
      found = n;
      return;
    }
    for (const c of n.children) if (c.hasError || c.isMissing || c.type === "ERROR") visit(c);
  };
  visit(tree.rootNode);
  const at = (found as Node | null)?.startPosition ?? tree.rootNode.startPosition;
  return { line: at.row + 1, column: at.column + 1 };
}

/** Every descendant (pre-order). */
export function* walk(n: Node): Generator<Node> {
  yield n;
  for (const c of n.children) yield* walk(c);
}

/** Expression wrappers the grammar nests a single value in (`array_literal_expression > unary_expression > …`). */
const WRAPPERS = new Set([
  "pipeline", "pipeline_chain", "logical_expression", "bitwise_expression", "comparison_expression", "additive_expression",
  "multiplicative_expression", "format_expression", "range_expression", "array_literal_expression", "unary_expression",
  "argument_expression", "logical_argument_expression", "bitwise_argument_expression", "comparison_argument_expression",
  "additive_argument_expression", "multiplicative_argument_expression", "format_argument_expression", "range_argument_expression",
  "left_assignment_expression", "string_literal",
]);

/** The value inside its single-child wrappers: `"a"` → expandable_string_literal, `$x` → variable. */
export function core(n: Node): Node {
  let cur = n;
  for (;;) {
    const kids = cur.namedChildren.filter((k) => k.type !== "comment");
    if (WRAPPERS.has(cur.type) && kids.length === 1) cur = kids[0]!;
    else return cur;
  }
}

/** The literal value of a string or bare word without expansions, or null when it has any ($x, $(…)). */
export function literalValue(n: Node): string | null {
  const c = core(n);
  switch (c.type) {
    case "verbatim_string_characters":
    case "verbatim_string_literal":
      return c.text.slice(1, -1).replace(/''/g, "'");
    case "verbatim_here_string_characters":
      return hereBody(c.text);
    case "expandable_string_literal":
      return c.namedChildren.length ? null : c.text.slice(1, -1).replace(/`(.)/g, "$1").replace(/""/g, '"');
    case "expandable_here_string_literal":
      return c.namedChildren.length ? null : hereBody(c.text);
    case "generic_token":
    case "simple_name":
      return c.text;
    default:
      return null;
  }
}

function hereBody(text: string): string {
  return text.replace(/^@["']\r?\n/, "").replace(/\r?\n["']@$/, "");
}
