/**
 * Vitest global setup (runs once, before the test workers are forked): the sandbox's certificates and
 * demo identity in .sandbox-test/, and NODE_EXTRA_CA_CERTS pointing at a bundle that adds its CA
 * (m365-sandbox's test/global-setup.ts). Node reads NODE_EXTRA_CA_CERTS only at process start
 * (LIBRARY-NOTES "TLS"), which is why vitest.config.mts uses pool "forks".
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { prepareSandboxTests } from "m365-sandbox/vitest-setup";

export const TEST_DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".sandbox-test");

export default function setup(): void {
  prepareSandboxTests(TEST_DATA_DIR);
}
