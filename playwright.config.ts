import { defineConfig, devices } from "@playwright/test";
import { E2E } from "./e2e/env";

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: "list",
  use: {
    baseURL: E2E.portalUrl,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    ignoreHTTPSErrors: true,
    // A click or fill that cannot happen fails in 30 s, instead of waiting out the whole test's timeout.
    actionTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  projects: [
    // The first admin claims the portal once; every other test signs in as people do.
    { name: "claim", testMatch: /claim\.setup\.ts/, use: { ...devices["Desktop Chrome"] } },
    // credential-rotation.spec.ts moves the shared sandbox's clock 20 days ahead for a moment (every token
    // would look expired to it): it runs alone, after every other spec.
    { name: "portal", testMatch: /.*\.spec\.ts/, testIgnore: /credential-rotation\.spec\.ts/, dependencies: ["claim"], use: { ...devices["Desktop Chrome"] } },
    { name: "clock", testMatch: /credential-rotation\.spec\.ts/, dependencies: ["portal"], use: { ...devices["Desktop Chrome"] } },
  ],
  webServer: {
    // The real start path (embedded secrets, migrations, sandbox tenant, build if needed, next start), its
    // output also kept in E2E.serverLog for the secret scan.
    command: "npx tsx scripts/e2e-web-server.ts",
    url: `${E2E.portalUrl}/api/health`,
    timeout: 240_000,
    reuseExistingServer: process.env.E2E_REUSE_SERVER === "1",
    stdout: "pipe",
    stderr: "pipe",
    env: E2E.serverEnv,
  },
});
