// Prints one closing line over every runner: "tests: N passed, N failed" (", N skipped" when any), and
// exits non-zero when anything failed, was skipped, or a runner ran no test. Counted as failures: failed
// tests, suites that failed without running their tests (an import or hook error), a runner's global
// errors, a runner that left no report, and each failed step (lint, type check, …).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const dir = process.argv[2] ?? ".test-summary";
const read = (f) => (existsSync(path.join(dir, f)) ? JSON.parse(readFileSync(path.join(dir, f), "utf8")) : null);
const problems = [];
const indent = (text) => String(text ?? "").split("\n").slice(0, 12).map((l) => `    ${l.slice(0, 300)}`).join("\n");
let passed = 0;
let failed = 0;
let skipped = 0;

const steps = existsSync(path.join(dir, "failed-steps")) ? readFileSync(path.join(dir, "failed-steps"), "utf8").split("\n").filter(Boolean) : [];

const v = read("vitest.json");
if (!v) problems.push("vitest left no report");
else {
  // A suite that failed before its tests ran (import error, failing beforeAll) has no failed assertion.
  const brokenSuites = (v.testResults ?? []).filter((r) => r.status === "failed" && !(r.assertionResults ?? []).some((a) => a.status === "failed")).length;
  passed += v.numPassedTests;
  failed += v.numFailedTests + brokenSuites;
  skipped += v.numPendingTests + v.numTodoTests;
  if (brokenSuites) problems.push(`vitest: ${brokenSuites} suite(s) failed outside a test`);
  if (v.numTotalTests === 0) problems.push("vitest ran no test");
  // The failed tests again, here at the end, with the first lines of each error: a long run's log is often
  // read from its tail only.
  for (const r of v.testResults ?? []) {
    const file = path.relative(process.cwd(), r.name ?? "");
    if (r.status === "failed" && !(r.assertionResults ?? []).some((a) => a.status === "failed")) console.log(`\nvitest FAILED ${file} (outside a test)\n${indent(r.message)}`);
    for (const a of r.assertionResults ?? []) if (a.status === "failed") console.log(`\nvitest FAILED ${file} › ${a.fullName ?? a.title}\n${indent((a.failureMessages ?? []).join("\n"))}`);
  }
  console.log(`\nvitest: ${v.numPassedTests} passed, ${v.numFailedTests + brokenSuites} failed, ${v.numPendingTests + v.numTodoTests} skipped`);
}

const p = read("playwright.json");
if (!p) problems.push("playwright left no report");
else {
  const s = p.stats ?? {};
  const globalErrors = (p.errors ?? []).length;
  passed += s.expected ?? 0;
  failed += (s.unexpected ?? 0) + (s.flaky ?? 0) + globalErrors;
  skipped += s.skipped ?? 0;
  if (globalErrors) problems.push(`playwright: ${globalErrors} global error(s)`);
  if ((s.expected ?? 0) + (s.unexpected ?? 0) + (s.flaky ?? 0) === 0) problems.push("playwright ran no test");
  console.log(`playwright: ${s.expected ?? 0} passed, ${(s.unexpected ?? 0) + (s.flaky ?? 0) + globalErrors} failed, ${s.skipped ?? 0} skipped`);
}

for (const step of steps) problems.push(`step failed: ${step}`);
// A missing report or a failed step that no test count reflects is one failure each.
failed += steps.filter((st) => !(st === "vitest" && v) && !(st === "playwright" && p)).length + (v ? 0 : 1) + (p ? 0 : 1);
if (skipped) problems.push(`${skipped} test(s) skipped: skipped tests are not allowed`);
for (const line of problems) console.log(`  - ${line}`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || skipped > 0 || problems.length > 0 ? 1 : 0);
