/**
 * Vitest global setup (runs once, before the test workers are forked).
 * Creates the sandbox's CA, server certificate, signing key and demo identity in .sandbox-test/
 * (so parallel test files only read them), then points NODE_EXTRA_CA_CERTS at a bundle of the
 * machine's existing extra CAs + the sandbox CA. Node reads NODE_EXTRA_CA_CERTS only at process
 * start (LIBRARY-NOTES "TLS"), which is why vitest.config.ts uses pool "forks": the workers are new
 * processes that inherit this environment.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureCerts, writeFileAtomic } from "../sandbox/src/certs";
import { ensureDemoIdentity } from "../sandbox/src/identity";

export const TEST_DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".sandbox-test");

export default function setup(): void {
  const certs = ensureCerts(TEST_DATA_DIR);
  ensureDemoIdentity(TEST_DATA_DIR);
  const bundleFile = path.join(TEST_DATA_DIR, "ca-bundle.pem");
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
  process.env.SANDBOX_TEST_DATA_DIR = TEST_DATA_DIR;
}
