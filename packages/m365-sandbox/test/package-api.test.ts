/**
 * The package as another project uses it: the programmatic API (startSandbox from "m365-sandbox") with
 * a seed, its control client, reset re-applying the seed; the seed's zod schema naming bad fields; and
 * the m365-sandbox command (--help, --version, bad options and a bad seed file refused with exit code 2).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeedError, startSandbox, type Sandbox } from "../src/index";
import { TEST_DATA_DIR } from "./support";

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(pkgDir, "bin", "m365-sandbox.mjs");
const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const APP_ID = "0b6f4e2a-52c4-4c1e-9d1a-6a1f3c2b7e10";
const seed = {
  users: [{ userPrincipalName: "ci.sender@contoso.sandbox", displayName: "CI Sender", department: "QA" }],
  apps: [{ appId: APP_ID, displayName: "CI app", applicationPermissions: ["Mail.Send"], adminConsent: true, secrets: [{ secretText: "ci-secret-value-1" }] }],
};

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ dataDir: TEST_DATA_DIR, redirectUris: ["http://localhost:5173/auth/callback"], appDisplayName: "Example CI", seed });
});
afterAll(async () => {
  await sb?.stop();
});

describe("startSandbox (programmatic API)", () => {
  it("answers the URLs, the CA and the seeded objects", () => {
    expect(sb.urls.authority).toBe(`${sb.urls.login}/${sb.endpoints.tenant.id}`);
    expect(sb.urls.control).toBe(`${sb.urls.login}/_sandbox`);
    expect(readFileSync(sb.caFile, "utf8")).toContain("BEGIN CERTIFICATE");
    expect(sb.seeded?.apps.map((a) => a.appId)).toEqual([APP_ID]);
    expect(sb.seeded?.users.map((u) => u.userPrincipalName)).toEqual(["ci.sender@contoso.sandbox"]);
    const demo = sb.running.ctx.store.apps.get(sb.endpoints.app.clientId)!;
    expect(demo.displayName).toBe("Example CI");
    expect(demo.redirectUris).toEqual(["http://localhost:5173/auth/callback"]);
  });

  it("the control client trusts the sandbox CA by itself; reset brings the seed back", async () => {
    const added = await sb.control.seed({ users: [{ userPrincipalName: "temp@contoso.sandbox", displayName: "Temp" }] });
    expect(added.users).toHaveLength(1);
    await sb.control.reset();
    const store = sb.running.ctx.store;
    const upns = [...store.users.values()].map((u) => u.userPrincipalName);
    expect(upns).toContain("ci.sender@contoso.sandbox");
    expect(upns).not.toContain("temp@contoso.sandbox");
    expect(store.apps.get(APP_ID)?.secrets.map((s) => s.secretText)).toEqual(["ci-secret-value-1"]);
    expect(store.appRoleGrants.some((g) => g.appId === APP_ID && g.value === "Mail.Send")).toBe(true);
    expect(await sb.control.messages({ to: "ci.sender@contoso.sandbox" })).toEqual([]);
  });

  it("a control call that fails rejects with the status and Microsoft-shaped body", async () => {
    await expect(sb.control.call("POST", "/clock", { advanceSeconds: "soon" })).rejects.toMatchObject({ status: 400 });
  });

  it("a bad seed is refused at start, naming each field and what is wrong", async () => {
    const err = await startSandbox({
      dataDir: TEST_DATA_DIR,
      seed: { users: [{ userPrincipalName: "x@contoso.sandbox", displayName: "" }], apps: [{ displayName: "A", adminConsnet: true }] } as never,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeedError);
    expect((err as SeedError).fields).toEqual(expect.arrayContaining(["users[0].displayName", "apps[0].adminConsnet"]));
    expect((err as SeedError).message).toContain("apps[0].adminConsnet (is not a seed field)");
    // Right shape, wrong reference: a shared mailbox cannot scope an access policy.
    const ref = await startSandbox({
      dataDir: TEST_DATA_DIR,
      seed: { accessPolicies: [{ appId: sb.endpoints.app.clientId, accessRight: "RestrictAccess", scope: sb.endpoints.mailboxes.shared }] },
    }).catch((e: unknown) => e);
    expect((ref as SeedError).fields).toEqual(["accessPolicies[0].scope"]);
  });

  it("POST /seed explains shape errors with the zod schema's message", async () => {
    const r = await sb.control.call("POST", "/seed", { groups: [{ displayName: "G", kind: "club" }], managementScopes: [{ name: "S" }] }).catch((e: { body: unknown }) => e.body);
    const error = (r as { error: { message: string; fields: string[] } }).error;
    expect(error.fields).toEqual(expect.arrayContaining(["groups[0].kind", "managementScopes[0].recipientRestrictionFilter"]));
    expect(error.message).toMatch(/groups\[0\]\.kind \(.+\)/);
  });
});

describe("the m365-sandbox command", () => {
  it("--help lists the options; --version prints the package version", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const opt of ["--login-port", "--graph-port", "--upload-port", "--host", "--data-dir", "--seed", "--redirect-uri"]) expect(help.stdout).toContain(opt);
    const version = await cli(["--version"]);
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it("refuses an unknown option, a bad port and a bad seed file with exit code 2 and a message naming it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "m365-sandbox-cli-"));
    try {
      const unknown = await cli(["--port", "1"]);
      expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining("--port")]);
      const port = await cli(["--login-port", "70000", "--data-dir", dir]);
      expect([port.code, port.stderr]).toEqual([2, expect.stringContaining("--login-port must be a port number")]);
      const file = path.join(dir, "seed.json");
      writeFileSync(file, JSON.stringify({ users: [{ userPrincipalName: 7, displayName: "N" }] }));
      const bad = await cli(["--seed", file, "--data-dir", TEST_DATA_DIR, "--login-port", "0", "--graph-port", "0", "--upload-port", "0"]);
      expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining("users[0].userPrincipalName")]);
      writeFileSync(file, "{ not json");
      const notJson = await cli(["--seed", file, "--data-dir", dir]);
      expect([notJson.code, notJson.stderr]).toEqual([2, expect.stringContaining("is not valid JSON")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
