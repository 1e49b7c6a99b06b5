import path from "node:path";

/** One place for the end-to-end run's ports, folders and database (kept apart from `npm start`'s). */
const port = Number(process.env.E2E_PORT ?? 3100);
export const E2E = {
  portalUrl: `http://localhost:${port}`,
  dataDir: path.resolve(process.env.E2E_DATA_DIR ?? ".data-e2e"),
  /** What the portal (and the sandbox beside it) printed during this run (scripts/e2e-web-server.ts). */
  get serverLog(): string {
    return path.join(this.dataDir, "server.log");
  },
  sandboxDir: path.resolve(process.env.E2E_SANDBOX_DIR ?? ".sandbox-e2e"),
  databaseUrl: process.env.E2E_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/gmp_e2e",
  /** The portal's build folder (next.config.js `distDir`): the authorization matrix reads its action manifest. */
  nextDistDir: path.resolve(process.env.E2E_NEXT_DIST_DIR ?? ".next"),
  get serverEnv(): Record<string, string> {
    return {
      PORT: String(port),
      PORTAL_URL: `http://localhost:${port}`,
      DATABASE_URL: this.databaseUrl,
      PORTAL_DATA_DIR: this.dataDir,
      SANDBOX_DATA_DIR: this.sandboxDir,
      SANDBOX_LOGIN_PORT: process.env.E2E_SANDBOX_LOGIN_PORT ?? "18443",
      SANDBOX_GRAPH_PORT: process.env.E2E_SANDBOX_GRAPH_PORT ?? "18444",
      SANDBOX_UPLOAD_PORT: process.env.E2E_SANDBOX_UPLOAD_PORT ?? "18445",
      // The SMTP relay's STARTTLS listener (lib/smtp), apart from npm start's 2525.
      PORTAL_SMTP_PORT: process.env.E2E_SMTP_PORT ?? "3109",
      // /metrics is on for the end-to-end portal; no browser session carries this token (authorization matrix).
      PORTAL_METRICS_TOKEN: "e2e-metrics-token-0123456789",
      PORTAL_SANDBOX: "on",
      // The message trace job (lib/delivery) every 5 s instead of 5 minutes, so e2e/delivery-status.spec.ts sees it join.
      PORTAL_TRACE_INTERVAL_SECONDS: "5",
      NEXT_TELEMETRY_DISABLED: "1",
      ...(process.env.E2E_NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.E2E_NEXT_DIST_DIR } : {}),
    };
  },
};
