/**
 * Vitest global setup for suites that start the sandbox in-process (runs once, before the workers are
 * forked). Creates the CA, server certificate, signing key and demo identity in the test data folder (so
 * parallel test files only read them), then points NODE_EXTRA_CA_CERTS at a bundle of the machine's
 * existing extra CAs + the sandbox CA. Node reads NODE_EXTRA_CA_CERTS only when a process starts, so the
 * vitest config must use pool "forks": the workers are new processes that inherit this environment.
 *
 * Used by this package's vitest.config.mts, and by other suites as `prepareSandboxTests(dir)`
 * (import from "m365-sandbox/vitest-setup").
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureCerts, writeFileAtomic } from "../src/certs";
import { ensureDemoIdentity } from "../src/identity";

export function prepareSandboxTests(dataDir: string): void {
  const certs = ensureCerts(dataDir);
  ensureDemoIdentity(dataDir);
  const bundleFile = path.join(dataDir, "ca-bundle.pem");
  // Keep whatever bundle the machine already trusts via NODE_EXTRA_CA_CERTS (here the system bundle);
  // replacing it would silently drop corporate proxies' CAs. Never include our own previous bundle.
  const existing = process.env.NODE_EXTRA_CA_CERTS;
  const base =
    existing && path.resolve(existing) !== bundleFile && existsSync(existing)
      ? existing
      : existsSync("/etc/ssl/certs/ca-certificates.crt")
        ? "/etc/ssl/certs/ca-certificates.crt"
        : undefined;
  const parts = [base ? readFileSync(base, "utf8").trim() : "", certs.caPem.trim()].filter(Boolean);
  writeFileAtomic(bundleFile, parts.join("\n") + "\n", 0o644);
  process.env.NODE_EXTRA_CA_CERTS = bundleFile;
  process.env.SANDBOX_TEST_DATA_DIR = dataDir;
}

export default function setup(): void {
  prepareSandboxTests(process.env.SANDBOX_TEST_DATA_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".sandbox-test"));
}
