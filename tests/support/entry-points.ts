import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/**
 * Every door into the portal, read from the source tree (not from a hand-kept list): each exported HTTP
 * method of each `app/**\/route.ts`, and each export of each "use server" module. The authorization
 * matrix (e2e/authorization-matrix.spec.ts) must have a row for every one of them; its unit twin
 * (tests/unit/authorization-matrix-coverage.test.ts) fails without a build when a row is missing.
 *
 * The TypeScript parser reads the exports, so `export const GET = …`, `export async function POST(…)` and
 * `export { handler as GET }` all count.
 */

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export interface RouteEntry {
  kind: "route";
  /** "POST /api/sends/[id]": the method and the URL path with its dynamic segments as written. */
  key: string;
  method: string;
  /** URL path pattern: route groups dropped, `[param]` kept. */
  pattern: string;
  file: string;
}

export interface ActionEntry {
  kind: "action";
  /** "app/(portal)/compose/actions.ts#sendAction": the module (from the repository root) and the export. */
  key: string;
  file: string;
  exportName: string;
}

const ROOT = path.resolve(__dirname, "..", "..");
/** Where server actions may live: app/ by the brief, lib/ and components/ so none hides there either. */
const ACTION_DIRS = ["app", "lib", "components"];

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "node_modules") walk(p, out);
    } else if (/\.(ts|tsx|js|jsx|mjs)$/.test(name)) {
      out.push(p);
    }
  }
  return out;
}

const rel = (p: string, root: string) => path.relative(root, p).split(path.sep).join("/");

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

const hasExport = (n: ts.Node) => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The names a module exports as values (types and interfaces are not doors). */
export function exportedValueNames(sf: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st) && hasExport(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
    } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && hasExport(st)) {
      const isDefault = (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      names.push(isDefault ? "default" : (st.name?.text ?? "default"));
    } else if (ts.isExportDeclaration(st) && !st.isTypeOnly && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const e of st.exportClause.elements) if (!e.isTypeOnly) names.push(e.name.text);
    } else if (ts.isExportDeclaration(st) && !st.exportClause) {
      // `export * from "./x"`: the matrix cannot see through it, so it refuses it rather than miss doors.
      throw new Error(`${sf.fileName}: "export *" hides which functions are exported; export them by name`);
    } else if (ts.isExportAssignment(st)) {
      names.push("default");
    }
  }
  return names;
}

/** A module-level "use server" directive (the first statements that are string literals). */
export function isServerModule(sf: ts.SourceFile): boolean {
  for (const st of sf.statements) {
    if (!ts.isExpressionStatement(st) || !ts.isStringLiteral(st.expression)) return false;
    if (st.expression.text === "use server") return true;
  }
  return false;
}

/** "app/api/sends/[id]/route.ts" → "/api/sends/[id]"; "(group)" folders are not part of the URL. */
export function routePattern(file: string): string {
  const parts = file.split("/").slice(1, -1).filter((s) => !/^\(.*\)$/.test(s) && !s.startsWith("@"));
  return `/${parts.join("/")}`;
}

export function routeEntries(root = ROOT): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const abs of walk(path.join(root, "app"))) {
    if (!/\/route\.(ts|js|mjs)$/.test(abs)) continue;
    const file = rel(abs, root);
    const pattern = routePattern(file);
    for (const name of exportedValueNames(parse(abs))) {
      if ((HTTP_METHODS as readonly string[]).includes(name)) out.push({ kind: "route", key: `${name} ${pattern}`, method: name, pattern, file });
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

export function actionEntries(root = ROOT): ActionEntry[] {
  const out: ActionEntry[] = [];
  for (const dir of ACTION_DIRS) {
    for (const abs of walk(path.join(root, dir))) {
      const text = readFileSync(abs, "utf8");
      if (!text.includes("use server")) continue;
      const sf = parse(abs);
      const file = rel(abs, root);
      if (!isServerModule(sf)) {
        // An inline "use server" function (inside a component or another function) is an action too, but
        // it has no module export to name in the matrix: refuse it so it cannot slip past the table.
        if (/["']use server["']/.test(text)) throw new Error(`${file}: inline "use server" functions are not covered by the authorization matrix; move the action into an actions module`);
        continue;
      }
      for (const name of exportedValueNames(sf)) out.push({ kind: "action", key: `${file}#${name}`, file, exportName: name });
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** Every entry point's key: what the matrix's table must list, no more and no less. */
export function entryPointKeys(root = ROOT): string[] {
  return [...routeEntries(root), ...actionEntries(root)].map((e) => e.key);
}
