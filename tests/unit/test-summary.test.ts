import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The closing line of `npm test` (scripts/test-summary.mjs) counts every kind of failure and always prints.
function summary(files: Record<string, unknown>): { line: string; code: number } {
  const dir = mkdtempSync(path.join(tmpdir(), "gmp-summary-"));
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), typeof body === "string" ? body : JSON.stringify(body));
  try {
    const out = execFileSync("node", ["scripts/test-summary.mjs", dir], { encoding: "utf8" });
    return { line: out.trim().split("\n").pop()!, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; status: number };
    return { line: err.stdout.trim().split("\n").pop()!, code: err.status };
  }
}

const vitest = (o: Partial<Record<string, unknown>> = {}) => ({ numTotalTests: 3, numPassedTests: 3, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, testResults: [], ...o });
const pw = (stats: Record<string, number> = {}, errors: unknown[] = []) => ({ stats: { expected: 2, unexpected: 0, flaky: 0, skipped: 0, ...stats }, errors });

describe("the closing line", () => {
  it("green when every runner passed", () => {
    expect(summary({ "vitest.json": vitest(), "playwright.json": pw() })).toEqual({ line: "tests: 5 passed, 0 failed", code: 0 });
  });
  it("counts failed tests, flaky tests and suites that broke outside a test", () => {
    const v = vitest({ numPassedTests: 2, numFailedTests: 1, testResults: [{ status: "failed", assertionResults: [] }] });
    expect(summary({ "vitest.json": v, "playwright.json": pw({ unexpected: 1, flaky: 1 }) })).toEqual({ line: "tests: 4 passed, 4 failed", code: 1 });
  });
  it("counts a failed step, a missing report and a runner's global errors", () => {
    expect(summary({ "vitest.json": vitest(), "failed-steps": "lint\ntypecheck\n" })).toEqual({ line: "tests: 3 passed, 3 failed", code: 1 });
    expect(summary({ "vitest.json": vitest(), "playwright.json": pw({}, [{ message: "webServer exited" }]) })).toEqual({ line: "tests: 5 passed, 1 failed", code: 1 });
  });
  it("fails on skipped tests and on a runner that ran none", () => {
    expect(summary({ "vitest.json": vitest({ numPendingTests: 1 }), "playwright.json": pw() })).toEqual({ line: "tests: 5 passed, 0 failed, 1 skipped", code: 1 });
    expect(summary({ "vitest.json": vitest({ numTotalTests: 0, numPassedTests: 0 }), "playwright.json": pw() }).code).toBe(1);
  });
});
