import "server-only";
import { psQuote, UnsafeScriptValue } from "@/lib/powershell/quote";
import { analyzeCalls, SEND_GRAPH, type CallAnalysis, type Edit } from "./analyze";
import { firstSyntaxError, parsePowerShell, type Node } from "./parse";
import type { Problem } from "./problems";
import { scanFile } from "./scan";

export interface ConvertOptions {
  /** The module's name (when installed under a PSModulePath folder) or the path of GraphMail.psd1. */
  modulePath: string;
}

export interface ConvertResult {
  /** The converted text, or null when no valid file could be produced (see problems). */
  converted: string | null;
  callsFound: number;
  convertedCount: number;
  problems: Problem[];
  /** What was changed, in the original's offsets (empty when nothing was converted). */
  edits: Edit[];
}

/** The module the portal generates (issue 13): GraphMail, exporting Send-GraphMailMessage. */
export const DEFAULT_MODULE = "GraphMail";

/**
 * Converts one script: every Send-MailMessage call the parser finds becomes Send-GraphMailMessage, and
 * nothing else in the file changes except, per converted call, abbreviated or aliased parameter names
 * written out in full (in the call or in the hashtable it splats), plus one `Import-Module` line. The rule
 * for -SmtpServer, -Port, -UseSsl and -Credential: kept, since Send-GraphMailMessage accepts and ignores them
 * with one warning — so a splatted hashtable or a $cred built elsewhere needs no edit; what they imply
 * (an on-premises relay, a stored SMTP password) is listed for the admin instead.
 *
 * The result must parse without errors under the same grammar, or no converted text is offered.
 */
export async function convertScript(original: string, opts: ConvertOptions): Promise<ConvertResult> {
  const tree = await parsePowerShell(original);
  const broken = firstSyntaxError(tree);
  if (broken) {
    return {
      converted: null,
      callsFound: 0,
      convertedCount: 0,
      edits: [],
      problems: [
        {
          line: broken.line,
          kind: "does-not-parse",
          blocking: true,
          message:
            `The script does not parse (line ${broken.line}, column ${broken.column}), so its calls cannot be found safely. Nothing was converted. ` +
            "If PowerShell runs it, the converter's parser (tree-sitter-powershell 0.26) is missing a construct: most often a list of unquoted words as a " +
            "command argument (Select-Object Name, DisplayName: quote them, 'Name', 'DisplayName') or a number with a size suffix " +
            "(1GB: write 1073741824 or [math]::Pow(1024, 3)). Both mean the same to PowerShell; change the line and upload it again.",
        },
      ],
    };
  }
  const root = tree.rootNode;
  const { calls, viaVariable } = analyzeCalls(root);
  const problems = [...calls.flatMap((c) => c.problems), ...viaVariable, ...scanFile(root)].sort((a, b) => a.line - b.line);
  const done = calls.filter((c) => c.converted);
  const edits = dedupe(done.flatMap((c) => c.edits));
  if (done.length > 0 && !importsModule(root, opts.modulePath)) {
    let line: string;
    try {
      line = `Import-Module -Name ${psQuote(opts.modulePath)}`;
    } catch (e) {
      if (!(e instanceof UnsafeScriptValue)) throw e;
      return { converted: null, callsFound: calls.length, convertedCount: 0, edits: [], problems: [{ line: 0, kind: "does-not-parse", blocking: true, message: "The module path contains a NUL character." }] };
    }
    edits.push(importEdit(root, original, line));
  }
  const converted = applyEdits(original, edits);
  const check = firstSyntaxError(await parsePowerShell(converted));
  if (check) {
    return {
      converted: null,
      callsFound: calls.length,
      convertedCount: 0,
      edits: [],
      problems: [
        ...problems,
        { line: check.line, kind: "does-not-parse", blocking: true, message: `The converted file would not parse (line ${check.line}): it is not offered. Please report this script.` },
      ],
    };
  }
  return { converted, callsFound: calls.length, convertedCount: done.length, problems, edits };
}

function dedupe(edits: Edit[]): Edit[] {
  const byStart = new Map<number, Edit>();
  for (const e of edits) byStart.set(e.start, e);
  return [...byStart.values()];
}

export function applyEdits(text: string, edits: Edit[]): string {
  let out = "";
  let at = 0;
  // An insertion goes before a replacement that starts at the same place (Import-Module before a first-line call).
  for (const e of [...edits].sort((a, b) => a.start - b.start || (a.end - a.start) - (b.end - b.start))) {
    if (e.start < at) throw new Error("overlapping edits");
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

function importsModule(root: Node, modulePath: string): boolean {
  const want = modulePath.toLowerCase();
  return root
    .descendantsOfType("command")
    .some((c) => /^import-module$/i.test(c.namedChildren[0]?.text ?? "") && c.text.toLowerCase().includes(want));
}

/**
 * The Import-Module line goes before the first statement: after comment-based help, #Requires, a script's
 * [CmdletBinding()] param(…) block and `using` statements (which must come first), in the file's own line ending.
 */
function importEdit(root: Node, text: string, line: string): Edit {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const list = root.namedChildren.find((c) => c.type === "statement_list");
  const first = list?.namedChildren.find((s) => s.type !== "comment" && !/^using\s/i.test(s.text));
  if (first) return { start: first.startIndex, end: first.startIndex, text: line + eol };
  const param = root.namedChildren.find((c) => c.type === "param_block");
  const at = param ? param.endIndex : 0;
  return param ? { start: at, end: at, text: eol + line } : { start: 0, end: 0, text: line + eol };
}

export type { CallAnalysis };
export { SEND_GRAPH };
