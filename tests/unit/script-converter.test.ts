import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { aliasesOf } from "@/lib/scripts/convert/aliases";
import { analyzeCalls, SEND_GRAPH, SEND_MAIL, type CallAnalysis } from "@/lib/scripts/convert/analyze";
import { applyEdits, convertScript } from "@/lib/scripts/convert/convert";
import { decodeScript, encodeScript } from "@/lib/scripts/convert/encoding";
import { resolveParameter } from "@/lib/scripts/convert/parameters";
import { firstSyntaxError, literalValue, parsePowerShell } from "@/lib/scripts/convert/parse";

/**
 * The corpus (tests/fixtures/scripts): realistic Send-MailMessage scripts in the styles admins write —
 * splatting (built over several statements too), loops over AD users, HTML by concatenation, here-strings,
 * attachments and pipelines, functions, jobs, try/catch scheduled tasks, PowerShell 5.1 idioms, CRLF,
 * Windows-1252, UTF-16 and UTF-8-with-BOM files. Each file's first line says what the converter must find:
 *   # expect: calls=<n> converted=<n> attention=<kind,kind,…>
 * Every result must parse, and every converted call must carry the same arguments, parameter by parameter
 * (splatted hashtables resolved), as the original: both files are parsed and walked independently.
 */
const DIR = path.resolve(import.meta.dirname, "..", "fixtures", "scripts");
const files = readdirSync(DIR).filter((f) => /\.(ps1|psm1)$/.test(f)).sort();

function expectation(text: string) {
  const m = /^# expect: calls=(\d+) converted=(\d+) attention=([\w,-]*)/m.exec(text);
  if (!m) throw new Error("fixture without an `# expect:` line");
  return { calls: Number(m[1]), converted: Number(m[2]), attention: m[3]!.split(",").filter(Boolean).sort() };
}

/** parameter → the argument texts bound to it (a switch without value: "(present)"), plus what is piped in. */
function bound(call: CallAnalysis): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of call.args) (out[a.param] ??= []).push(a.value === null ? "(present)" : a.value.text);
  if (call.pipelineInput) out["(pipeline)"] = [call.pipelineInput];
  return out;
}

describe("the converter's corpus", () => {
  it("has at least 30 scripts, in every encoding and line ending the converter must keep", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    const encodings = new Set(files.map((f) => decodeScript(readFileSync(path.join(DIR, f))).encoding));
    expect([...encodings].sort()).toEqual(["utf-16le", "utf-8", "utf-8-bom", "windows-1252"]);
    expect(files.some((f) => readFileSync(path.join(DIR, f), "utf8").includes("\r\n"))).toBe(true);
  });

  for (const file of files) {
    it(`converts ${file}: same arguments per parameter, a file that parses, nothing else changed`, async () => {
      const bytes = readFileSync(path.join(DIR, file));
      const { text, encoding } = decodeScript(bytes);
      // The file reads back byte for byte in its own encoding (what the download writes).
      expect(Buffer.from(encodeScript(text, encoding)).equals(bytes)).toBe(true);
      const want = expectation(text);

      const r = await convertScript(text, { modulePath: "GraphMail" });
      expect(r.converted, JSON.stringify(r.problems)).not.toBeNull();
      const converted = r.converted!;
      expect({ calls: r.callsFound, converted: r.convertedCount, attention: r.problems.map((p) => p.kind).sort() }).toEqual(want);

      const before = await parsePowerShell(text);
      const after = await parsePowerShell(converted);
      expect(firstSyntaxError(after)).toBeNull();

      // Walk both trees: each converted call is, in order, a Send-GraphMailMessage call with the same arguments.
      const originalCalls = analyzeCalls(before.rootNode, SEND_MAIL).calls;
      const convertedCalls = analyzeCalls(after.rootNode, SEND_GRAPH).calls;
      const left = analyzeCalls(after.rootNode, SEND_MAIL).calls;
      expect(convertedCalls).toHaveLength(r.convertedCount);
      expect(left).toHaveLength(r.callsFound - r.convertedCount);
      const done = originalCalls.filter((c) => c.converted);
      done.forEach((c, i) => {
        const d = convertedCalls[i]!;
        expect(d.problems.filter((p) => p.blocking)).toEqual([]);
        expect(bound(d), `call on line ${c.line}`).toEqual(bound(c));
      });

      // Only the command names, abbreviated or aliased parameter names, and one Import-Module line changed.
      expect(applyEdits(text, r.edits)).toBe(converted);
      const commandAliases = aliasesOf(before.rootNode, SEND_MAIL).map((a) => a.name.toLowerCase());
      for (const e of r.edits) {
        const was = text.slice(e.start, e.end);
        if (was === "") {
          expect(e.text).toMatch(/^Import-Module -Name 'GraphMail'\r?\n$/);
          expect(e.text.endsWith("\r\n")).toBe(text.includes("\r\n"));
        } else if (/send-mailmessage/i.test(was)) {
          expect(was.replace(/(?:microsoft\.powershell\.utility\\)?send-mailmessage/i, SEND_GRAPH)).toBe(e.text);
        } else if (e.text === SEND_GRAPH) {
          // A call through an alias the script defines for Send-MailMessage (Set-Alias mail Send-MailMessage).
          expect(commandAliases).toContain((literalValue(before.rootNode.descendantForIndex(e.start, e.end - 1)) ?? was).toLowerCase());
        } else {
          const r1 = resolveParameter(was.replace(/^-/, ""));
          expect(r1.kind === "ok" && r1.spec.name).toBe(e.text.replace(/^-/, ""));
        }
      }
      if (r.convertedCount > 0) expect(converted.match(/^Import-Module -Name 'GraphMail'$/gm)).toHaveLength(1);
      else expect(converted).toBe(text);
      // Writable in the file's own encoding (a Windows-1252 script stays Windows-1252).
      expect(decodeScript(encodeScript(converted, encoding))).toEqual({ text: converted, encoding });
    });
  }
});

describe("the converter's rules", () => {
  it("puts Import-Module after #Requires, comment help and the param block, with the module path quoted by the wizard's quoting", async () => {
    const path1 = "C:\\Program Files\\O'Brien ‘Tools’\\GraphMail\\GraphMail.psd1";
    const src = "#Requires -Version 5.1\n<# help #>\n[CmdletBinding()]\nparam([string]$To)\nSend-MailMessage -To $To -From a@contoso.com -Subject s\n";
    const r = await convertScript(src, { modulePath: path1 });
    const lines = r.converted!.split("\n");
    expect(lines[4]).toBe("Import-Module -Name 'C:\\Program Files\\O''Brien ‘‘Tools’’\\GraphMail\\GraphMail.psd1'");
    const tree = await parsePowerShell(r.converted!);
    expect(firstSyntaxError(tree)).toBeNull();
    const imp = tree.rootNode.descendantsOfType("command").find((c) => c.text.startsWith("Import-Module"))!;
    const arg = imp.descendantsOfType("string_literal")[0]!;
    // The grammar decodes '' but not the Unicode quote pairs; PowerShell folds both (about_Quoting_Rules).
    expect(literalValue(arg)!.replace(/([‘’])\1/g, "$1")).toBe(path1);
  });

  it("refuses to offer a file that does not parse, and says where", async () => {
    const r = await convertScript("Send-MailMessage -To a -From b -Subject (\n", { modulePath: "GraphMail" });
    expect(r.converted).toBeNull();
    expect(r.problems[0]).toMatchObject({ kind: "does-not-parse", blocking: true, line: 1 });
  });

  it("refuses what the grammar cannot read (valid PowerShell it lacks) with the line and the way around it", async () => {
    // tree-sitter-powershell 0.26.4 reads neither `Name, DisplayName` in argument mode nor numbers with a size suffix.
    for (const [src, line] of [
      ["Get-Service | Select-Object Name, Status\nSend-MailMessage -To a -From b -Subject s\n", 1],
      ["$free = $disk.FreeSpace / 1GB\nSend-MailMessage -To a -From b -Subject $free\n", 1],
    ] as const) {
      const r = await convertScript(src, { modulePath: "GraphMail" });
      expect(r.converted).toBeNull();
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toMatchObject({ kind: "does-not-parse", blocking: true, line });
      expect(r.problems[0]!.message).toMatch(/'Name', 'DisplayName'.*1GB/s);
    }
  });

  it("leaves an ambiguous or unknown parameter name alone and says why", async () => {
    const r = await convertScript("Send-MailMessage -To a -From b -Bo x\nSend-MailMessage -To a -From b -Frobnicate x\n", { modulePath: "GraphMail" });
    expect(r.convertedCount).toBe(0);
    expect(r.converted).not.toContain(SEND_GRAPH);
    expect(r.problems.map((p) => [p.kind, p.line])).toEqual([
      ["ambiguous-parameter", 1],
      ["unknown-parameter", 2],
    ]);
    expect(r.problems[0]!.message).toContain("-Body, -BodyAsHtml");
  });

  it("keeps HTML, CRLF and quotes in arguments exactly", async () => {
    const src = "Send-MailMessage -To 'a@contoso.com' -From \"b@contoso.com\" -Subject '<script>alert(1)</script> ''x''' -Body \"`r`n`\"x`\" $(1+1)\" -Sub2 x\r\n";
    const r = await convertScript(src.replace(" -Sub2 x", ""), { modulePath: "GraphMail" });
    expect(r.converted).toBe("Import-Module -Name 'GraphMail'\r\n" + src.replace(" -Sub2 x", "").replace("Send-MailMessage", SEND_GRAPH));
  });
});
