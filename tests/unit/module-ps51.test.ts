import { describe, expect, it } from "vitest";
import { buildModule, type ModuleOptions } from "@/lib/scripts/module/build-module";
import { commands, functionName, literal, parsePs, unwrap } from "../support/ps-tree";

/**
 * Windows PowerShell 5.1 compatibility of the generated module, by walking its syntax tree (PowerShell
 * is not on these machines). Refused: PowerShell 7 syntax (ternary, ??, ??=, ?., pipeline chains && ||,
 * the clean block, numeric suffixes u/y/s/n), parameters and cmdlets that 5.1 lacks (ForEach-Object
 * -Parallel, Invoke-RestMethod -Form/-SkipCertificateCheck/-ResponseHeadersVariable …, ConvertFrom-Json
 * -AsHashtable, Join-String …), PowerShell 6+ automatic variables ($IsWindows …) and encoding names, and
 * .NET members only .NET Core has. The lists come from "Differences between Windows PowerShell 5.1 and
 * PowerShell 7" (https://learn.microsoft.com/powershell/scripting/whats-new/differences-from-windows-powershell)
 * and the cmdlets' reference pages; they are not exhaustive, so each entry is also proven to be caught.
 */

const PS7_PARAMETERS: Record<string, string[]> = {
  "invoke-restmethod": ["form", "skipcertificatecheck", "responseheadersvariable", "statuscodevariable", "skipheadervalidation", "skiphttperrorcheck", "authentication", "token", "allowunencryptedauthentication", "maximumretrycount", "retryintervalsec", "sslprotocol", "noproxy", "resume", "custommethod", "httpversion", "preserveauthorizationonredirect", "connectiontimeoutseconds", "operationtimeoutseconds", "allowinsecureredirect", "preservehttpmethodonredirect", "unixsocket"],
  "foreach-object": ["parallel", "throttlelimit", "asjob", "timeoutseconds", "usenewrunspace"],
  "convertfrom-json": ["ashashtable", "depth", "noenumerate", "datekind"],
  "convertto-json": ["escapehandling", "asarray"],
  "get-content": ["asbytestream"],
  "set-content": ["asbytestream"],
  "add-content": ["asbytestream"],
  "start-sleep": ["duration"],
  "get-date": ["asutc", "unixtimeseconds"],
  "join-path": ["additionalchildpath"],
};
PS7_PARAMETERS["invoke-webrequest"] = PS7_PARAMETERS["invoke-restmethod"]!;
PS7_PARAMETERS["irm"] = PS7_PARAMETERS["invoke-restmethod"]!;
PS7_PARAMETERS["iwr"] = PS7_PARAMETERS["invoke-restmethod"]!;
PS7_PARAMETERS["%"] = PS7_PARAMETERS["foreach-object"]!;
PS7_PARAMETERS["foreach"] = PS7_PARAMETERS["foreach-object"]!;

const PS7_CMDLETS = ["join-string", "get-error", "test-json", "convertfrom-markdown", "show-markdown", "get-markdownoption", "set-markdownoption", "get-uptime", "remove-alias", "get-securerandom", "remove-service", "get-pssubsystem", "enable-experimentalfeature", "get-experimentalfeature"];
const PS7_VARIABLES = ["$iswindows", "$islinux", "$ismacos", "$iscoreclr", "$psstyle", "$psnativecommanduseerroractionpreference", "$psnativecommandargumentpassing"];
const PS7_ENCODINGS = ["utf8nobom", "utf8bom", "ansi", "bigendianutf32"];
/** .NET Core-only members (not in .NET Framework 4.x, which Windows PowerShell 5.1 runs on). */
const NETCORE_ONLY = [/::ToHexString\b/i, /::FromHexString\b/i, /System\.Text\.Json/i, /::HashData\b/i, /::GetInt32\b/i, /\bEphemeralKeySet\b/, /::ImportFromPem\b/i, /\.ReadAllBytesAsync\b/i];

interface Walked {
  hasError: boolean;
  types: Set<string>;
  integers: string[];
  variables: string[];
}

function walk(text: string): Walked & { tree: ReturnType<typeof parsePs> } {
  const tree = parsePs(text);
  const types = new Set<string>();
  const c = tree.walk();
  // A cursor visits every node, anonymous tokens (&&, ||, -parallel) included.
  for (;;) {
    types.add(c.nodeType);
    if (c.gotoFirstChild()) continue;
    while (!c.gotoNextSibling()) {
      if (!c.gotoParent()) {
        return {
          tree,
          hasError: tree.rootNode.hasError,
          types,
          integers: tree.rootNode.descendantsOfType("integer_literal").map((n) => n.text),
          variables: tree.rootNode.descendantsOfType("variable").map((n) => n.text.toLowerCase()),
        };
      }
    }
  }
}

/** What would not run on Windows PowerShell 5.1, one finding per construct. */
export function ps7Findings(text: string): string[] {
  const w = walk(text);
  const out: string[] = [];
  if (w.hasError) {
    const errors = w.tree.rootNode.descendantsOfType("ERROR").map((n) => `line ${n.startPosition.row + 1}: ${n.text.slice(0, 60)}`);
    out.push(`does not parse as PowerShell 5.1 syntax (the grammar has no ternary, ??, ?. or clean block): ${errors.join("; ") || "missing token"}`);
  }
  for (const t of ["&&", "||"]) if (w.types.has(t)) out.push(`pipeline chain operator ${t} (PowerShell 7)`);
  for (const t of ["-parallel", "parallel_statement", "inlinescript_statement", "sequence_statement"]) if (w.types.has(t)) out.push(`${t} (workflow or PowerShell 7)`);
  for (const i of w.integers) if (/^(0x)?[0-9a-f]+(u|y|uy|s|us|n|ul|un)$/i.test(i)) out.push(`numeric suffix in ${i} (PowerShell 6.2+)`);
  for (const v of w.variables) if (PS7_VARIABLES.includes(v)) out.push(`automatic variable ${v} (PowerShell 6+)`);
  for (const cmd of commands(w.tree.rootNode)) {
    const name = cmd.name.toLowerCase();
    // The grammar (like Windows PowerShell 5.1) reads 5u as a command name: a PowerShell 6.2+ numeric literal.
    if (/^(0x)?[0-9a-f]+(u|y|uy|s|us|n|ul|un)$/i.test(name)) out.push(`numeric suffix in ${cmd.name} (PowerShell 6.2+)`);
    if (PS7_CMDLETS.includes(name)) out.push(`cmdlet ${cmd.name} (not in Windows PowerShell 5.1)`);
    for (const p of PS7_PARAMETERS[name] ?? []) if (cmd.args.has(p)) out.push(`${cmd.name} -${p} (PowerShell 6+)`);
    const enc = cmd.args.get("encoding");
    if (enc && PS7_ENCODINGS.includes((literal(enc) ?? "").toLowerCase())) out.push(`${cmd.name} -Encoding ${literal(enc)} (PowerShell 6+)`);
  }
  for (const re of NETCORE_ONLY) if (re.test(text)) out.push(`.NET Core-only member ${re.source}`);
  return out;
}

const TENANT = { id: "cktenant1", name: "Contoso", directoryId: "contoso.onmicrosoft.com", clientId: "11111111-2222-4333-8444-555555555555", loginUrl: "https://login.microsoftonline.com", graphUrl: "https://graph.microsoft.com" };
const variants: ModuleOptions[] = [
  { transport: "api", portalUrl: "https://mail.example.com", tenant: TENANT },
  { transport: "api", portalUrl: "https://mail.example.com", tenant: TENANT, defaultFrom: "hr@contoso.com" },
  { transport: "graph", portalUrl: "https://mail.example.com", tenant: TENANT },
  { transport: "graph", portalUrl: "https://mail.example.com", tenant: TENANT, defaultFrom: "hr@contoso.com" },
];

describe("the module runs on Windows PowerShell 5.1", () => {
  for (const o of variants) {
    const label = `${o.transport}${o.defaultFrom ? ", default sender" : ""}`;
    const files = buildModule(o).files;

    it(`${label}: every PowerShell file parses and uses nothing PowerShell 7-only`, () => {
      for (const f of files.filter((x) => /\.ps[dm]1$/.test(x.path))) expect(ps7Findings(f.content), f.path).toEqual([]);
    });

    it(`${label}: requires 5.1, switches TLS 1.2 on at import, and its manifest says 5.1 and exports what the module defines`, () => {
      const psm1 = files.find((f) => f.path.endsWith(".psm1"))!.content;
      expect(psm1.startsWith("#Requires -Version 5.1\n")).toBe(true);
      const root = parsePs(psm1).rootNode;
      const tls = root.descendantsOfType("assignment_expression").filter((a) => /^\[Net\.ServicePointManager\]::SecurityProtocol$/.test(unwrap(a.namedChild(0)!).text));
      expect(tls).toHaveLength(1);
      expect(tls[0]!.text).toMatch(/-bor \[Net\.SecurityProtocolType\]::Tls12$/);
      // At the top level, so importing the module is enough.
      let p = tls[0]!.parent;
      while (p && p.type !== "function_statement") p = p.parent;
      expect(p).toBeNull();

      const psd1 = parsePs(files.find((f) => f.path.endsWith(".psd1"))!.content).rootNode;
      const entry = (k: string) => psd1.descendantsOfType("hash_entry").find((e) => e.namedChild(0)!.text === k)!.namedChildren.at(-1)!;
      expect(literal(entry("PowerShellVersion"))).toBe("5.1");
      expect(literal(entry("RootModule"))).toBe("GraphMail.psm1");
      const listed = (n: ReturnType<typeof entry>) => n.descendantsOfType("verbatim_string_characters").map((s) => literal(s)!);
      expect(listed(entry("CompatiblePSEditions"))).toEqual(["Desktop", "Core"]);
      const exported = listed(entry("FunctionsToExport"));
      expect(exported).toEqual(["Send-GraphMailMessage", "Save-GraphMailCredential"]);
      const defined = root.descendantsOfType("function_statement").map(functionName);
      for (const name of exported) expect(defined).toContain(name);
      const exportCall = commands(root, "Export-ModuleMember")[0]!;
      expect(exportCall.node.descendantsOfType("verbatim_string_characters").map((s) => literal(s)!)).toEqual(exported);
    });
  }

  const injected: [string, string, RegExp][] = [
    ["a ternary", "$x = $a ? 1 : 2", /does not parse/],
    ["null coalescing", "$x = $a ?? 'b'", /does not parse/],
    ["null-coalescing assignment", "$x ??= 1", /does not parse/],
    ["null-conditional member access", "$y = ${a}?.b", /does not parse/],
    ["&&", "Get-Item x && Write-Output y", /pipeline chain operator &&|does not parse/],
    ["||", "Get-Item x || Write-Output y", /pipeline chain operator \|\||does not parse/],
    ["ForEach-Object -Parallel", "1..3 | ForEach-Object -Parallel { $_ }", /-parallel/i],
    ["Invoke-RestMethod -Form", "Invoke-RestMethod -Uri $u -Method Post -Form @{ a = 1 }", /-form/],
    ["-SkipCertificateCheck", "Invoke-RestMethod -Uri $u -SkipCertificateCheck", /-skipcertificatecheck/],
    ["-ResponseHeadersVariable", "Invoke-WebRequest -Uri $u -ResponseHeadersVariable h", /-responseheadersvariable/],
    ["ConvertFrom-Json -AsHashtable", "$j = ConvertFrom-Json -InputObject $t -AsHashtable", /-ashashtable/],
    ["Join-String", "$s = $a | Join-String -Separator ','", /Join-String/],
    ["$IsWindows", "if ($IsWindows) { 1 }", /\$iswindows/],
    ["a numeric suffix", "$n = 5u", /numeric suffix|does not parse/],
    ["-Encoding utf8NoBOM", "Set-Content -Path x -Value y -Encoding utf8NoBOM", /utf8NoBOM/],
    ["Get-Content -AsByteStream", "$b = Get-Content -Path x -AsByteStream", /-asbytestream/],
    ["Convert.ToHexString", "$h = [Convert]::ToHexString($b)", /ToHexString/],
    ["the clean block", "function Z { process { 1 } clean { 2 } }", /does not parse/],
  ];
  const base = buildModule(variants[0]!).files.find((f) => f.path.endsWith(".psm1"))!.content;
  for (const [name, snippet, finding] of injected) {
    it(`refuses ${name} injected into the module (the check can fail)`, () => {
      const findings = ps7Findings(`${base}\nfunction Test-Injected {\n    ${snippet}\n}\n`);
      expect(findings.join("\n")).toMatch(finding);
    });
  }
});
