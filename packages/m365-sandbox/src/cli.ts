/**
 * The `m365-sandbox` command (bin/m365-sandbox.mjs): runs the sandbox tenant until SIGINT/SIGTERM.
 * Options come from the command line, else from the SANDBOX_* environment variables, else defaults.
 * Writes <dataDir>/endpoints.json (the public contract, see README.md) and prints the URLs.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "./certs";
import { SeedError } from "./entra/seed-input";
import { startSandbox } from "./server";

const HELP = `m365-sandbox — a local stand-in for Microsoft Entra ID, Microsoft Graph mail and Exchange Online

Usage: m365-sandbox [options]

Options (each falls back to the environment variable shown, then to the default):
  --login-port <n>      login host: Entra ID, control API, inbox      SANDBOX_LOGIN_PORT   8443
  --graph-port <n>      Microsoft Graph host                          SANDBOX_GRAPH_PORT   8444
  --upload-port <n>     upload host (attachment upload sessions)      SANDBOX_UPLOAD_PORT  8445
                        (0 picks a free port)
  --host <address>      address to listen on                          SANDBOX_HOST         loopback
                        (the TLS certificate names localhost, 127.0.0.1 and ::1 only)
  --data-dir <dir>      CA, keys, demo identity, endpoints.json       SANDBOX_DATA_DIR     .sandbox
  --seed <file>         JSON file of extra directory objects (the     SANDBOX_SEED_FILE
                        POST /_sandbox/seed body), applied at start and after every reset
  --redirect-uri <uri>  redirect URI of the demo app; repeatable      SANDBOX_REDIRECT_URIS (comma-separated)
  --app-name <name>     display name of the demo app                  SANDBOX_APP_NAME     "Sandbox demo app"
  --quiet               do not log request failures
  -h, --help            this help
  -v, --version         the version

Everything is in memory; POST {controlUrl}/reset (or a restart) brings back the seeded tenant.
Trust <dataDir>/ca.pem in the process that calls it (NODE_EXTRA_CA_CERTS). Details: README.md.`;

class UsageError extends Error {}

function portOf(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${name} must be a port number (0–65535), got "${raw}".`);
  return n;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function readSeed(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--seed: cannot read "${file}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--seed: "${file}" is not valid JSON (${(e as Error).message}).`);
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new UsageError(`--seed: "${file}" must hold a JSON object.`);
  return v as Record<string, unknown>;
}

async function main(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      "login-port": { type: "string" },
      "graph-port": { type: "string" },
      "upload-port": { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      seed: { type: "string" },
      "redirect-uri": { type: "string", multiple: true },
      "app-name": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (values.version) {
    console.log(version());
    return;
  }
  const dataDir = path.resolve(values["data-dir"] || env.SANDBOX_DATA_DIR || ".sandbox");
  const redirectUris = values["redirect-uri"] ?? (env.SANDBOX_REDIRECT_URIS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const u of redirectUris) if (!URL.canParse(u)) throw new UsageError(`--redirect-uri: "${u}" is not a URL.`);
  const seedFile = values.seed || env.SANDBOX_SEED_FILE;
  const appName = values["app-name"] || env.SANDBOX_APP_NAME;
  const host = values.host || env.SANDBOX_HOST;
  const sb = await startSandbox({
    dataDir,
    loginPort: portOf("--login-port", values["login-port"] ?? env.SANDBOX_LOGIN_PORT, 8443),
    graphPort: portOf("--graph-port", values["graph-port"] ?? env.SANDBOX_GRAPH_PORT, 8444),
    uploadPort: portOf("--upload-port", values["upload-port"] ?? env.SANDBOX_UPLOAD_PORT, 8445),
    ...(host ? { host } : {}),
    ...(redirectUris.length ? { redirectUris } : {}),
    ...(appName ? { appDisplayName: appName } : {}),
    ...(seedFile ? { seed: readSeed(seedFile) } : {}),
    quiet: values.quiet ?? false,
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
      `  demo app    ${e.app.clientId}${redirectUris.length ? "" : " (no redirect URIs: pass --redirect-uri to sign users in)"}`,
      `  sign in as  ${e.users.map((u) => u.upn).join(", ")} (passwords in endpoints.json)`,
      ...(sb.seeded ? [`  seeded      ${sb.seeded.users.length} users, ${sb.seeded.groups.length} groups, ${sb.seeded.apps.length} apps from ${seedFile}`] : []),
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
  if (e instanceof UsageError || code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" || code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" || code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    console.error(`m365-sandbox: ${(e as Error).message}\nRun m365-sandbox --help for the options.`);
    process.exit(2);
  }
  if (e instanceof SeedError) {
    console.error(`m365-sandbox: the seed file is not valid. ${e.message}`);
    process.exit(2);
  }
  if (code === "EADDRINUSE") console.error(`A sandbox port is already in use (${(e as Error).message}). Choose others with --login-port/--graph-port/--upload-port.`);
  else console.error(e);
  process.exit(1);
});
