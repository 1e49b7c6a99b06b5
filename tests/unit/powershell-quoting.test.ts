import { spawnSync } from "node:child_process";
import Parser from "tree-sitter";
import PowerShell from "tree-sitter-powershell";
import { describe, expect, it } from "vitest";
import { graphPowerShellRegistration, type RegistrationInput } from "@/lib/powershell/app-registration";
import { azureCliRegistration } from "@/lib/powershell/azure-cli";
import { certificateUploadScript } from "@/lib/powershell/certificate-upload";
import { accessPolicyScript, rbacScript, recipientFilter, type RestrictionInput } from "@/lib/powershell/exchange-restriction";
import { psQuote, shQuote, UnsafeScriptValue } from "@/lib/powershell/quote";

// The quoting property (issue 6): every value a generator places in a script stays ONE string literal
// whose decoded value is the input, and the script parses without error — checked with the real
// tree-sitter PowerShell grammar over generated hostile strings.
const parser = new Parser();
parser.setLanguage(PowerShell as unknown as Parser.Language);

const QUOTES = "'\u2018\u2019\u201A\u201B";
const PIECES = [
  "'", "''", "\u2018", "\u2019", "\u201A", "\u201B", '"', "\u201C", "\u201D", "$", "$(", ")", "$(Remove-Item C:\\ -Recurse)", "${env:PATH}",
  "`", "`n", "`'", ";", "|", "||", "&", "&&", "\n", "\r\n", "\r", "@'", "'@", '@"', '"@', "#", "<#", "#>", "{", "}", "[", "]",
  "\\", " ", "\t", "--%", "-Force", "é", "日本", "🙂", "\u2028", "\u00a0", "<script>", "%", "!", "*", "?", "~", "a", "Z", "0",
  "'; Remove-Item -Recurse C:\\; '", "\u2019 + $(whoami) + \u2018", "' -or 1 -eq 1 -or '",
];

/** A deterministic PRNG (mulberry32), so a failure names a reproducible string. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hostileStrings(n: number, seed = 6): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    let s = "";
    const k = 1 + Math.floor(r() * 8);
    for (let j = 0; j < k; j++) s += PIECES[Math.floor(r() * PIECES.length)]!;
    return s;
  });
}

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
    if (i >= token.length) throw new Error(`unterminated literal ${JSON.stringify(token)}`);
    const c = token[i]!;
    if (QUOTES.includes(c)) {
      const next = token[i + 1];
      if (next === undefined) {
        i++;
        break;
      }
      if (!QUOTES.includes(next)) throw new Error(`PowerShell would end the literal early in ${JSON.stringify(token)}`);
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
  const literals: string[] = [];
  const shape: string[] = [];
  const walk = (n: Parser.SyntaxNode) => {
    shape.push(n.type);
    if (n.type === "verbatim_string_characters") literals.push(decodeVerbatim(n.text));
    for (const c of n.children) walk(c);
  };
  walk(tree.rootNode);
  return { hasError: tree.rootNode.hasError, literals, shape: shape.join(" ") };
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

/** Each generator with the hostile value in every slot a person can type into. */
const generators: { name: string; make: (v: string) => string; values: (v: string) => string[] }[] = [
  { name: "Graph PowerShell registration", make: (v) => graphPowerShellRegistration({ ...benign, displayName: v, directoryId: v, signInRedirectUri: v, consentRedirectUri: v }), values: (v) => [v] },
  { name: "certificate upload", make: (v) => certificateUploadScript({ directoryId: v, clientId: restriction.clientId, certificateBase64: "QUJD", displayName: v }), values: (v) => [v] },
  { name: "RBAC for Applications", make: (v) => rbacScript({ ...restriction, appDisplayName: v, scopeName: v, mailboxes: [v, "b@contoso.com"], outsideMailbox: v }), values: (v) => [v, recipientFilter([v, "b@contoso.com"])] },
  { name: "application access policy", make: (v) => accessPolicyScript({ ...restriction, groupAddress: v, mailboxes: [v], outsideMailbox: v }), values: (v) => [v] },
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
    it(`${g.name}: hostile values leave the syntax tree's shape unchanged and stay whole literals`, () => {
      const reference = parse(g.make("value"));
      expect(reference.hasError).toBe(false);
      // 300 per generator keeps the run short; psQuote itself is checked on all 1,200 above.
      for (const s of strings.slice(0, 300)) {
        const p = parse(g.make(s));
        expect(p.hasError, s).toBe(false);
        // Same node types in the same order: no value added a command, an operator or a sub-expression.
        expect(p.shape, s).toBe(reference.shape);
        for (const v of g.values(s)) expect(p.literals, s).toContain(v);
      }
    });
  }

  it("a naive interpolation fails the same check (the check can fail)", () => {
    const naive = (v: string) => `New-MgApplication -DisplayName '${v}'\n`;
    const reference = parse(naive("value"));
    const broken = strings.filter((s) => {
      try {
        const p = parse(naive(s));
        return p.hasError || p.shape !== reference.shape || !p.literals.includes(s);
      } catch {
        return true; // a lone Unicode quote: PowerShell would end the literal early
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
  it("bash reads 1,200 hostile strings back unchanged", () => {
    const strings = hostileStrings(1200, 66);
    const script = `printf '%s\\0' ${strings.map(shQuote).join(" ")}`;
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(strings);
  });

  it("the Azure CLI script keeps a hostile display name as one word", () => {
    const name = "x'; rm -rf ~; echo '$(id)`id`";
    const script = azureCliRegistration({ ...benign, displayName: name });
    const line = script.split("\n").find((l) => l.includes("az ad app create"))!;
    // Print the --display-name argument through bash itself.
    const probe = line.replace(/^app_id=\$\(az ad app create --display-name /, "printf '%s' ").replace(/ --sign-in-audience.*$/, "");
    const r = spawnSync("bash", ["-c", probe], { encoding: "utf8" });
    expect(r.stdout).toBe(name);
  });
});
