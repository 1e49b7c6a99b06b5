import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Parser from "tree-sitter";
import PowerShell from "tree-sitter-powershell";
import { describe, expect, it } from "vitest";
import { graphPowerShellRegistration, type RegistrationInput } from "@/lib/powershell/app-registration";
import { azureCliRegistration } from "@/lib/powershell/azure-cli";
import { certificateUploadScript } from "@/lib/powershell/certificate-upload";
import { accessPolicyScript, rbacScript, recipientFilter, type RestrictionInput } from "@/lib/powershell/exchange-restriction";
import { GRAPH_APP_ID, requiredPermissions } from "@/lib/powershell/permissions";
import { psQuote, shQuote, UnsafeScriptValue } from "@/lib/powershell/quote";
import { hostileStrings, window } from "../support/hostile-strings";

// The quoting property (issue 6): every value a generator places in a script stays ONE string literal
// whose decoded value is the input, and the script parses without error — checked with the real
// tree-sitter PowerShell grammar over generated hostile strings.
const parser = new Parser();
parser.setLanguage(PowerShell as unknown as Parser.Language);

const QUOTES = "'\u2018\u2019\u201A\u201B";
/** PowerShell would read the token differently (a lone Unicode quote ends its string): not one literal. */
class PowerShellDisagrees extends Error {}

/**
 * Decodes a verbatim string token the way PowerShell's tokenizer does — stricter than the grammar,
 * which only knows the ASCII apostrophe: a quote character (any of the five) ends the string unless
 * another quote character follows, and the pair stands for one. A lone Unicode quote inside the
 * token would end PowerShell's string early, so it fails here.
 */
function decodeVerbatim(token: string): string {
  expect(QUOTES).toContain(token[0]);
  let out = "";
  let i = 1;
  for (;;) {
    if (i >= token.length) throw new PowerShellDisagrees(`PowerShell would find no end to the literal ${JSON.stringify(token)}`);
    const c = token[i]!;
    if (QUOTES.includes(c)) {
      const next = token[i + 1];
      if (next === undefined) {
        i++;
        break;
      }
      if (!QUOTES.includes(next)) throw new PowerShellDisagrees(`PowerShell would end the literal early in ${JSON.stringify(token)}`);
      out += next;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  expect(i).toBe(token.length);
  return out;
}

interface Parsed { hasError: boolean; literals: string[]; shape: string }

function parse(script: string): Parsed {
  const tree = parser.parse(script);
  // Native calls only (the S-expression of named nodes and one query by type): walking 1,200 scripts
  // node by node through the binding takes minutes on a busy machine.
  const literals = tree.rootNode.descendantsOfType("verbatim_string_characters").map((n) => decodeVerbatim(n.text));
  return { hasError: tree.rootNode.hasError, literals, shape: tree.rootNode.toString() };
}

const benign: RegistrationInput = {
  displayName: "Graph Mail Portal", directoryId: "contoso.onmicrosoft.com", useApplication: true, useDelegated: true, largeAttachments: true,
  signInRedirectUri: "https://mail.example.com/api/auth/callback/microsoft", consentRedirectUri: "https://mail.example.com/api/setup/consent",
  credential: "secret", secretEndDateTime: "2027-05-28T00:00:00Z",
};
const restriction: RestrictionInput = {
  clientId: "11111111-2222-4333-8444-555555555555", servicePrincipalObjectId: "66666666-7777-4888-9999-000000000000", appDisplayName: "Graph Mail Portal",
  mailboxes: ["hr-welcome@contoso.com", "adele@contoso.com"], groupAddress: "graph-senders@contoso.com", createGroup: true,
  scopeName: "Graph Mail Portal senders", outsideMailbox: "alex@contoso.com",
};

/**
 * Each generator with a different hostile value in every slot a person (or the portal) fills, and the
 * literals that must appear whole in the script.
 */
const generators: { name: string; slots: number; make: (v: string[]) => string; values: (v: string[]) => string[] }[] = [
  {
    name: "Graph PowerShell registration", slots: 5,
    make: ([a, b, c, d, e]) => graphPowerShellRegistration({ ...benign, directoryId: a!, displayName: b!, signInRedirectUri: c!, consentRedirectUri: d!, secretEndDateTime: e! }),
    values: (v) => v,
  },
  {
    name: "certificate upload", slots: 3,
    make: ([a, b, c]) => certificateUploadScript({ directoryId: a!, clientId: b!, certificateBase64: "QUJD", displayName: c! }),
    values: ([a, b, c]) => [a!, `appId eq '${b}'`, c!],
  },
  {
    name: "RBAC for Applications", slots: 7,
    make: ([a, b, c, d, e, f, g]) => rbacScript({ ...restriction, clientId: a!, servicePrincipalObjectId: b!, appDisplayName: c!, scopeName: d!, mailboxes: [e!, f!], outsideMailbox: g! || "alex@contoso.com" }),
    values: ([a, b, c, d, e, f, g]) => [a!, b!, c!, d!, e!, f!, g! || "alex@contoso.com", recipientFilter([e!, f!])],
  },
  {
    name: "application access policy", slots: 4,
    make: ([a, b, c, d]) => accessPolicyScript({ ...restriction, clientId: a!, groupAddress: b!, mailboxes: [c!], outsideMailbox: d! || "alex@contoso.com" }),
    values: ([a, b, c, d]) => [a!, b!, c!, d! || "alex@contoso.com"],
  },
];

describe("PowerShell quoting", () => {
  const strings = hostileStrings(1200);

  it("psQuote: 1,200 hostile strings each parse as one verbatim literal equal to the input", () => {
    expect(new Set(strings).size).toBeGreaterThan(1000);
    for (const s of strings) {
      const p = parse(`Write-Output ${psQuote(s)}\n`);
      expect(p.hasError, s).toBe(false);
      expect(p.literals, s).toEqual([s]);
    }
  });

  for (const g of generators) {
    it(`${g.name}: 1,200 hostile values leave the syntax tree's shape unchanged and stay whole literals`, () => {
      const reference = parse(g.make(Array.from({ length: g.slots }, (_, k) => `value${k}`)));
      expect(reference.hasError).toBe(false);
      const cases = strings.map((_, i) => window(strings, i, g.slots));
      expect(cases).toHaveLength(1200);
      for (const v of cases) {
        const label = JSON.stringify(v).slice(0, 300);
        const p = parse(g.make(v));
        expect(p.hasError, label).toBe(false);
        // Same named nodes in the same order: no value added a command, an operator or a sub-expression.
        expect(p.shape, label).toBe(reference.shape);
        expect(p.literals, label).toEqual(expect.arrayContaining(g.values(v)));
      }
    }, 180_000);
  }

  it("a naive interpolation fails the same check (the check can fail)", () => {
    const naive = (v: string) => `New-MgApplication -DisplayName '${v}'\n`;
    const reference = parse(naive("value"));
    const broken = strings.filter((s) => {
      try {
        const p = parse(naive(s));
        return p.hasError || p.shape !== reference.shape || !p.literals.includes(s);
      } catch (e) {
        // Only "PowerShell would read it differently" is a finding; anything else is the harness failing.
        if (e instanceof PowerShellDisagrees) return true;
        throw e;
      }
    });
    expect(broken.length).toBeGreaterThan(100);
  });

  it("refuses NUL, which no console can carry", () => {
    expect(() => psQuote("a\0b")).toThrow(UnsafeScriptValue);
    expect(() => shQuote("a\0b")).toThrow(UnsafeScriptValue);
  });
});

describe("shell quoting (Azure CLI script)", () => {
  it("bash reads 1,200 hostile strings back unchanged", async () => {
    const strings = hostileStrings(1200, 66);
    const r = await confinedBash(`printf '%s\\0' ${strings.map(shQuote).join(" ")}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(strings);
  });

  it("the Azure CLI script, run by bash with az printing its arguments: 1,200 hostile values arrive exactly", async () => {
    const strings = hostileStrings(1200, 66);
    const cases = strings.map((_, i) => {
      const [dir, name, signIn, consent, end] = window(strings, i, 5);
      const input: RegistrationInput = {
        directoryId: dir!, displayName: name!, signInRedirectUri: signIn!, consentRedirectUri: consent!, secretEndDateTime: end!,
        useApplication: true, useDelegated: i % 2 === 0, largeAttachments: i % 4 < 2, credential: i % 3 === 0 ? "certificate" : "secret",
      };
      return { input, script: azureCliRegistration(input) };
    });
    const calls = await runWithFakeAz(cases.map((c) => c.script));
    expect(calls).toHaveLength(1200);
    expect(calls).toEqual(cases.map(({ input: i }) => ({ exit: 0, calls: expectedAzCalls(i) })));
  }, 120_000);

  it("the fake az catches a naive script (the check can fail)", async () => {
    const strings = hostileStrings(200, 67);
    const naive = (v: string) => `#!/usr/bin/env bash\nset -euo pipefail\naz ad app create --display-name '${v}'\n`;
    const got = await runWithFakeAz(strings.map(naive));
    const wrong = got.filter((g, i) => JSON.stringify(g) !== JSON.stringify({ exit: 0, calls: [["ad", "app", "create", "--display-name", strings[i]]] }));
    expect(wrong.length).toBeGreaterThan(30);
  });

  it("refuses NUL in every slot of the Azure CLI script", () => {
    const slots = ["directoryId", "displayName", "signInRedirectUri", "consentRedirectUri"] as const;
    for (const k of slots) expect(() => azureCliRegistration({ ...benign, [k]: "a\0b" }), k).toThrow(UnsafeScriptValue);
  });
});

const FAKE_APP_ID = "11111111-2222-4333-8444-555555555555";

/** The az invocations the script must make, argument by argument (lib/powershell/azure-cli.ts). */
function expectedAzCalls(i: RegistrationInput): string[][] {
  const perms = requiredPermissions(i);
  const calls = [
    ["login", "--tenant", i.directoryId, "--allow-no-subscriptions"],
    ["ad", "app", "create", "--display-name", i.displayName, "--sign-in-audience", "AzureADMyOrg", "--web-redirect-uris", ...(i.useDelegated ? [i.signInRedirectUri] : []), i.consentRedirectUri, "--query", "appId", "--output", "tsv"],
    ["ad", "app", "permission", "add", "--id", FAKE_APP_ID, "--api", GRAPH_APP_ID, "--api-permissions", ...perms.map((p) => `${p.id}=${p.type}`)],
    ["ad", "sp", "create", "--id", FAKE_APP_ID, "--output", "none"],
    ["ad", "app", "permission", "admin-consent", "--id", FAKE_APP_ID],
  ];
  if (i.credential === "secret") {
    // What any UTF-8 reader gets from the first ten UTF-16 units (a cut surrogate pair becomes U+FFFD).
    const endDate = Buffer.from(i.secretEndDateTime.slice(0, 10), "utf8").toString("utf8");
    calls.push(["ad", "app", "credential", "reset", "--id", FAKE_APP_ID, "--append", "--display-name", "Graph Mail Portal", "--end-date", endDate, "--query", "password", "--output", "tsv"]);
  }
  return calls;
}

/**
 * Runs each script with real bash, `az` replaced by a shell function that writes its argument count and
 * arguments NUL-separated to fd 3 (and prints an app id for `--query appId`, as az would). One bash runs
 * all the scripts, each sourced in its own subshell, so set -e in one script ends only that script.
 */
async function runWithFakeAz(scripts: string[]): Promise<{ exit: number; calls: string[][] }[]> {
  const driver = [
    `exec 3>"$PWD/calls"`,
    `az() { printf '%s\\0' "$#" "$@" >&3; if [ "$1 $2 $3" = "ad app create" ]; then echo ${FAKE_APP_ID}; fi; }`,
    `for ((i = 0; i < ${scripts.length}; i++)); do`,
    `  printf '\\001case\\0' >&3`,
    `  ( . "$PWD/$i.sh" ) >/dev/null 2>&1`,
    `  printf '\\001exit\\0%s\\0' "$?" >&3`,
    `done`,
  ].join("\n");
  const r = await confinedBash(driver, scripts, "calls");
  expect(r.status, r.stderr).toBe(0);
  const tokens = r.file.split("\0");
  const out: { exit: number; calls: string[][] }[] = [];
  for (let t = 0; t < tokens.length - 1; ) {
    const tok = tokens[t++]!;
    if (tok === "\u0001case") out.push({ exit: -1, calls: [] });
    else if (tok === "\u0001exit") out.at(-1)!.exit = Number(tokens[t++]);
    else {
      const n = Number(tok);
      out.at(-1)!.calls.push(tokens.slice(t, t + n));
      t += n;
    }
  }
  return out;
}

/**
 * Real bash, confined: a fresh empty working directory that is also HOME, an empty PATH (only builtins
 * and the fake az run: a broken quote can at worst write files in that directory), no profile, a time
 * limit. `files` are written there as 0.sh, 1.sh, …; `read` names a file to return afterwards.
 */
async function confinedBash(script: string, files: string[] = [], read?: string) {
  const dir = await mkdtemp(path.join(tmpdir(), "confined-bash-"));
  try {
    await Promise.all(files.map((s, i) => writeFile(path.join(dir, `${i}.sh`), s)));
    await writeFile(path.join(dir, "main.sh"), script);
    const r = spawnSync("/bin/bash", ["--noprofile", "--norc", path.join(dir, "main.sh")], {
      cwd: dir, env: { NODE_ENV: "test", HOME: dir, PATH: path.join(dir, "no-such-bin"), LC_ALL: "C.UTF-8" }, encoding: "utf8", timeout: 90_000, maxBuffer: 64 * 1024 * 1024,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, file: read ? await readFile(path.join(dir, read), "utf8") : "" };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
