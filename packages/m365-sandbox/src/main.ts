/**
 * `npm run sandbox` (tsx sandbox/src/main.ts): runs the sandbox tenant on its own.
 * Environment: SANDBOX_LOGIN_PORT (8443), SANDBOX_GRAPH_PORT (8444), SANDBOX_UPLOAD_PORT (8445),
 * SANDBOX_DATA_DIR (.sandbox), SANDBOX_REDIRECT_URIS (comma-separated redirect URIs of the demo app).
 * Writes <dataDir>/endpoints.json (the public contract, see sandbox/README.md) and prints the URLs.
 */
import path from "node:path";
import { writeFileAtomic } from "./certs";
import { startSandbox } from "./server";

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`${name} must be a port number (0–65535), got "${raw}".`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.SANDBOX_DATA_DIR || ".sandbox");
  const redirectUris = (process.env.SANDBOX_REDIRECT_URIS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const u of redirectUris) {
    if (!URL.canParse(u)) {
      console.error(`SANDBOX_REDIRECT_URIS: "${u}" is not a URL.`);
      process.exit(2);
    }
  }
  const sb = await startSandbox({
    dataDir,
    loginPort: port("SANDBOX_LOGIN_PORT", 8443),
    graphPort: port("SANDBOX_GRAPH_PORT", 8444),
    uploadPort: port("SANDBOX_UPLOAD_PORT", 8445),
    ...(redirectUris.length ? { redirectUris } : {}),
  });
  const file = path.join(dataDir, "endpoints.json");
  // Holds the demo secret and passwords: readable by the owner only.
  writeFileAtomic(file, JSON.stringify(sb.endpoints, null, 2) + "\n", 0o600);
  const e = sb.endpoints;
  console.log(
    [
      "Sandbox tenant running (a local stand-in for Entra ID, Microsoft Graph and Exchange Online)",
      `  authority   ${e.authority}`,
      `  Graph       ${e.graphUrl}/v1.0`,
      `  uploads     ${e.uploadUrl}`,
      `  control API ${e.controlUrl}`,
      `  inbox       ${e.inboxUrl}`,
      `  tenant      ${e.tenant.domain} (${e.tenant.id})`,
      `  demo app    ${e.app.clientId}`,
      `  sign in as  ${e.users.map((u) => u.upn).join(", ")} (passwords in endpoints.json)`,
      `  CA file     ${e.caFile}  (start Node with NODE_EXTRA_CA_CERTS pointing at it)`,
      `  details     ${file}`,
    ].join("\n"),
  );
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`\n${signal}: stopping the sandbox…`);
    sb.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e: unknown) => {
  const code = (e as { code?: string }).code;
  if (code === "EADDRINUSE") console.error(`A sandbox port is already in use (${(e as Error).message}). Set SANDBOX_LOGIN_PORT/SANDBOX_GRAPH_PORT/SANDBOX_UPLOAD_PORT.`);
  else console.error(e);
  process.exit(1);
});
