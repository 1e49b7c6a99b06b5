// The package's own tests, run alone: `npm test` in this folder (the portal's root config runs them too).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: import.meta.dirname,
    // forks, not threads: NODE_EXTRA_CA_CERTS (set by the global setup for the sandbox CA) is read when a process starts.
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
    include: ["test/**/*.test.ts"],
    allowOnly: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
