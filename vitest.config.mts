import { defineConfig } from "vitest/config";
import path from "node:path";

const root = import.meta.dirname;

export default defineConfig({
  resolve: { alias: { "@": root, "server-only": path.resolve(root, "tests/support/server-only.ts") } },
  test: {
    // forks, not threads: NODE_EXTRA_CA_CERTS (set by globalSetup for the sandbox CA) is read when a process starts.
    pool: "forks",
    globalSetup: ["tests/global-setup.ts"],
    // The sandbox package's own tests run here too (and alone with `npm test -w m365-sandbox`).
    include: ["tests/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    // .only would silently skip the rest of a file: refused everywhere, not only when CI is set.
    allowOnly: false,
    // The portal's JSON log (lib/log.ts) keeps warnings and errors in test output; tests that read info
    // lines (observability.test.ts) make their own logger at that level.
    env: { PORTAL_LOG_LEVEL: process.env.PORTAL_LOG_LEVEL ?? "warn" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
