import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { actionEntries, entryPointKeys, routeEntries } from "../support/entry-points";

/**
 * The authorization matrix (e2e/authorization-matrix.spec.ts) runs against a built portal; this twin fails
 * fast, without a build, when a route handler or server action exists that its table has no row for.
 */

const SPEC = path.resolve(import.meta.dirname, "..", "..", "e2e", "authorization-matrix.spec.ts");

/** The row keys of the spec's `EXPECTED` table, read with the TypeScript parser (the spec itself imports Playwright). */
function tableKeys(): string[] {
  const sf = ts.createSourceFile(SPEC, readFileSync(SPEC, "utf8"), ts.ScriptTarget.Latest, true);
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.name.text === "EXPECTED" && d.initializer && ts.isObjectLiteralExpression(d.initializer)) {
        return d.initializer.properties.map((p) => {
          if (!ts.isPropertyAssignment(p) || !(ts.isStringLiteral(p.name) || ts.isIdentifier(p.name))) throw new Error(`EXPECTED: every row is "key": …, found ${p.getText(sf)}`);
          return p.name.text;
        });
      }
    }
  }
  throw new Error(`${SPEC} has no "const EXPECTED = { … }" table`);
}

describe("authorization matrix coverage", () => {
  it("has exactly one row per route handler method and server action in the source", () => {
    const keys = tableKeys();
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(entryPointKeys().sort());
  });
});

describe("entry point enumeration", () => {
  const root = mkdtempSync(path.join(tmpdir(), "gmp-entry-points-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  for (const dir of ["app", "lib", "components"]) mkdirSync(path.join(root, dir), { recursive: true });

  it("finds every way a route module exports a method, with route groups dropped from the path", () => {
    write("app/api/a/[id]/route.ts", `export const GET = route({}, async () => new Response());\nexport async function DELETE() {}\nexport const dynamic = "force-dynamic";\n`);
    write("app/(group)/api/b/[...all]/route.ts", `async function handler() {}\nexport { handler as GET, handler as POST };\nexport type X = string;\n`);
    write("app/(group)/page.tsx", `export default function Page() { return null; }\n`);
    expect(routeEntries(root).map((r) => r.key)).toEqual(["DELETE /api/a/[id]", "GET /api/a/[id]", "GET /api/b/[...all]", "POST /api/b/[...all]"]);
  });

  it("finds every export of a \"use server\" module under app/, lib/ and components/, and refuses inline server functions", () => {
    write("app/(x)/thing/actions.ts", `"use server";\nimport { z } from "zod";\nexport const doAction = action({}, async () => {});\nexport async function plain(id: string) { return id; }\nexport type State = {};\n`);
    write("lib/more.ts", `'use server';\nexport async function hidden() {}\n`);
    write("lib/not-server.ts", `export async function ordinary() {}\n// mentions use server in a comment only\n`);
    expect(actionEntries(root).map((a) => a.key)).toEqual(["app/(x)/thing/actions.ts#doAction", "app/(x)/thing/actions.ts#plain", "lib/more.ts#hidden"]);

    write("components/inline.tsx", `export function C() { async function act() { "use server"; } return null; }\n`);
    expect(() => actionEntries(root)).toThrow(/inline "use server"/);
    rmSync(path.join(root, "components/inline.tsx"));

    write("app/re-export/actions.ts", `"use server";\nexport * from "./other";\n`);
    expect(() => actionEntries(root)).toThrow(/export \*/);
  });
});
