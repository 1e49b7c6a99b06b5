/**
 * A second, independent client stack holds the sandbox to Microsoft's behaviour: Microsoft's MSAL for
 * Python with `requests` (Debian's python3-msal and python3-requests; .ci/run installs them). Each Python
 * test (sandbox/test/python/test_msal_python.py) runs as its own case here, against one sandbox.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "./support";

// Debian's interpreter, where python3-msal lives (a pyenv or venv python3 on PATH would not have it).
const PYTHON = process.env.SANDBOX_PYTHON ?? "/usr/bin/python3";
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "python");
const CASES = [
  "test_client_secret_token",
  "test_certificate_token",
  "test_wrong_secret_is_refused_with_aadsts7000215",
  "test_send_mail",
  "test_errors_keep_graphs_envelope",
  "test_upload_session",
];

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

/** Asynchronously: the sandbox runs in this process and must keep answering while Python waits on it. */
function runPython(testCase: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(PYTHON, ["-m", "unittest", "-v", `test_msal_python.MsalPython.${testCase}`], {
    cwd: dir,
    // requests prefers REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the environment over `verify=`: point both at the sandbox CA.
    env: { ...process.env, SANDBOX_ENDPOINTS: JSON.stringify(sb.endpoints), REQUESTS_CA_BUNDLE: sb.endpoints.caFile, CURL_CA_BUNDLE: sb.endpoints.caFile, PYTHONDONTWRITEBYTECODE: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("MSAL for Python against the sandbox", () => {
  it("has Debian's python3 with msal and requests", () => {
    expect(existsSync(PYTHON), `${PYTHON} is missing: apt-get install python3-msal python3-requests`).toBe(true);
    const r = spawnSync(PYTHON, ["-c", "import msal, requests; print(msal.__version__)"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  });

  it("lists every Python test here", () => {
    const r = spawnSync(PYTHON, ["-c", "import unittest, test_msal_python as t; print('\\n'.join(unittest.TestLoader().getTestCaseNames(t.MsalPython)))"], { cwd: dir, encoding: "utf8", env: { ...process.env, SANDBOX_ENDPOINTS: "{}", PYTHONDONTWRITEBYTECODE: "1" } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n").sort()).toEqual([...CASES].sort());
  });

  for (const testCase of CASES) {
    it(testCase.replace(/^test_/, "").replaceAll("_", " "), async () => {
      const r = await runPython(testCase);
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stderr).toMatch(/Ran 1 test/);
      expect(r.stderr).toMatch(/\nOK\s*$/);
    });
  }
});
