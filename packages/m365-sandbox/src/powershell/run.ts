/**
 * The sandbox's PowerShell runner: POST {controlUrl}/powershell/run {script, tenant} parses the script
 * with the real tree-sitter PowerShell grammar (the one the portal's tests use), walks its statements
 * and executes the cmdlets against the sandbox's directory, answering the console transcript:
 *   {"transcript": "...", "ok": true|false, "errors": n}
 * PowerShell can't run here, and a script that only parses proves little: this way a test proves the
 * generated scripts themselves — the app, its permissions and the restriction exist because the script
 * made them. Errors are non-terminating, as in a console running a script: the next statement still
 * runs (unless -ErrorAction Stop). With {"trace": true} the answer also lists every statement run and
 * the arguments each cmdlet was bound to (`trace`), so a test can compare what a generated script
 * hands its cmdlets with the values that went into the generator — like replacing `az` with a
 * function that prints its arguments.
 */
import type Parser from "tree-sitter";
import type { SandboxContext } from "../context";
import { findTenant } from "../entra/directory";
import { bind } from "./binding";
import { findCmdlet } from "./cmdlets";
import { formatError, notRecognized, notSupported, PSError, PSStop } from "./errors";
import { evaluate } from "./evaluate";
import { newSession, type Session, type TraceEntry } from "./session";
import { formatOutput, traceValue, type PSValue } from "./values";

type Node = Parser.SyntaxNode;

let parser: Promise<Parser> | undefined;
/**
 * Loaded lazily with import(): tree-sitter-powershell's binding uses top-level await, which a CommonJS
 * require (what tsx compiles the sandbox to) cannot load.
 */
async function parse(script: string): Promise<Parser.Tree> {
  parser ??= Promise.all([import("tree-sitter"), import("tree-sitter-powershell")]).then(([ts, ps]) => {
    const p = new ts.default();
    p.setLanguage(ps.default as unknown as Parser.Language);
    return p;
  });
  return (await parser).parse(script);
}

export class RunInputError extends Error {
  constructor(readonly fields: string[], message: string) {
    super(message);
  }
}

export interface RunResult { transcript: string; ok: boolean; errors: number; trace?: TraceEntry[] }

/**
 * Descends single-child wrapper nodes down to the commands, if the pipeline is made of commands only:
 * one command, or several joined by | (the output of each feeds the next; only cmdlets that take
 * pipeline input — Where-Object here — may follow the first), the first possibly an expression.
 */
function commandsOf(n: Node): Node[] | null {
  let cur: Node = n;
  for (;;) {
    if (cur.type === "command") return [cur];
    const kids = cur.namedChildren.filter((k) => k.type !== "comment");
    if (cur.type === "pipeline_chain" && kids.length > 1) {
      // A pipeline may begin with an expression whose value is enumerated into the first command
      // (about_Pipelines: `$app.PasswordCredentials | Where-Object …`); after it, commands only.
      if (!kids.slice(1).every((k) => k.type === "command")) throw notSupported("pipelines that mix commands and expressions");
      return kids;
    }
    if (kids.length !== 1 || !["pipeline", "pipeline_chain"].includes(cur.type)) return null;
    cur = kids[0]!;
  }
}

function runCommand(s: Session, cmd: Node, column: number, entry: TraceEntry | undefined, input?: PSValue[]): { name: string; value: PSValue; stop: boolean } {
  const nameNode = cmd.childForFieldName("command_name") ?? cmd.namedChildren[0]!;
  const name = nameNode.text;
  if (entry) entry.command = name;
  const c = findCmdlet(name, s.exchangeConnected);
  if (!c) throw Object.assign(notRecognized(name), { command: name });
  if (input && !c.pipelineInput) {
    // The sandbox's cmdlets other than Where-Object take no pipeline input (their real counterparts bind
    // some by property name; not modelled): refused rather than guessed at.
    throw Object.assign(notSupported(`piping into ${c.name}`), { command: c.name });
  }
  const elements = cmd.childForFieldName("command_elements")?.children ?? [];
  try {
    const args = bind(s, c, elements, column);
    if (entry) entry.args = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, traceValue(v)]));
    if (c.shouldProcess && args.WhatIf === true) {
      // about_CommonParameters: -WhatIf "displays a message that describes the effect of the command,
      // instead of executing the command". PowerShell's ShouldProcess layout; the action/target words
      // Exchange prints are its own (unconfirmed), the sandbox names the cmdlet and its target.
      s.out.push(`What if: Performing the operation "${c.name}" on target "${c.shouldProcess.target(args)}".`);
      return { name: c.name, value: null, stop: false };
    }
    if (c.shouldProcess && args.Confirm === true) {
      // -Confirm asks before acting; a script runner has no console to answer, like pwsh -NonInteractive
      // (PowerShell's message for a prompt in a non-interactive host). -Confirm:$false runs normally.
      throw new PSError("PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.", {
        category: "InvalidOperation", exceptionType: "PSInvalidOperationException", errorId: "HostFunctionNotImplemented",
      });
    }
    try {
      const value = c.run(s, args, input) ?? null;
      return { name: c.name, value, stop: false };
    } catch (e) {
      // -ErrorAction SilentlyContinue / Ignore: a non-terminating error is neither shown nor counted and the
      // command outputs nothing, so `$x = Get-… -ErrorAction SilentlyContinue` leaves $x $null
      // (microsoft.powershell.core/about/about_commonparameters, -ErrorAction). Binding errors are
      // terminating and not affected (they were thrown by bind() above). SilentlyContinue also adds the
      // error to $Error; the runner has no $Error. That Exchange Online's "couldn't be found" errors are
      // non-terminating, so this idiom works with them, is what admins' scripts rely on; Microsoft does not
      // document it per cmdlet (unconfirmed).
      const quiet = args.ErrorAction === "SilentlyContinue" || args.ErrorAction === "Ignore";
      if (quiet && e instanceof PSError && e.info.exceptionType !== "ParameterBindingException") {
        if (entry) entry.silenced = e.message.split(/\r?\n/)[0]!;
        return { name: c.name, value: null, stop: false };
      }
      throw e;
    }
  } catch (e) {
    if (e instanceof PSError) throw Object.assign(e, { command: c.name });
    throw e;
  }
}

function runStatement(s: Session, st: Node, lines: string[]): void {
  if (st.type === "comment" || st.type === "empty_statement") return;
  const line = st.startPosition.row + 1;
  const column = st.startPosition.column;
  const lineText = lines[st.startPosition.row] ?? "";
  const entry: TraceEntry | undefined = s.trace ? { line } : undefined;
  if (entry) s.trace!.push(entry);
  try {
    if (st.type === "if_statement") {
      runIf(s, st, lines);
      return;
    }
    if (st.type !== "pipeline") throw notSupported(`'${st.type.replace(/_/g, " ")}' statements`);
    const assign = st.namedChildren[0]?.type === "assignment_expression" ? st.namedChildren[0] : null;
    const target = assign ? assign.namedChildren[0]! : null;
    if (entry && target) entry.assign = target.text.trim();
    const valueNode = assign ? assign.childForFieldName("value") ?? assign.namedChildren[assign.namedChildren.length - 1]! : st;
    if (assign && assign.namedChildren[1]?.text !== "=") throw notSupported(`the '${assign.namedChildren[1]?.text}' operator`);
    const cmds = commandsOf(valueNode);
    const value = cmds ? runPipeline(s, cmds, column, entry) : evaluate(s, valueNode);
    if (target) {
      const name = target.text.trim();
      if (!/^\$[A-Za-z_]\w*$/.test(name)) throw notSupported(`assigning to '${name}'`);
      s.vars.set(name.slice(1).toLowerCase(), value);
    } else {
      const printed = formatOutput(value);
      s.out.push(...printed);
      if (entry && printed.length) entry.output = printed;
    }
  } catch (e) {
    if (!(e instanceof PSError)) throw e;
    if (entry) entry.error = e.message.split(/\r?\n/)[0]!;
    s.errors++;
    s.out.push(formatError((e as PSError & { command?: string }).command ?? null, e, line, column, lineText));
    if (/-ErrorAction\s+'?Stop'?/i.test(st.text)) throw new PSStop();
  }
}

/** Commands joined by |: each one's output, enumerated, is the next one's input (about_Pipelines). */
function runPipeline(s: Session, cmds: Node[], column: number, entry: TraceEntry | undefined): PSValue {
  let value: PSValue = null;
  cmds.forEach((cmd, i) => {
    // The trace records the first command's binding (what a generator handed it); the filters follow it.
    if (i === 0 && cmd.type !== "command") {
      value = evaluate(s, cmd);
      return;
    }
    const input = i === 0 ? undefined : value === null ? [] : Array.isArray(value) ? value : [value];
    value = runCommand(s, cmd, column, i === 0 || (i === 1 && cmds[0]!.type !== "command") ? entry : undefined, input).value;
  });
  return value;
}

/**
 * if (<condition>) { … } [elseif (…) { … }] [else { … }] (about_If). The condition is a value — a
 * variable, member access — converted to Boolean as PowerShell does: $null, "", 0, $false and an empty
 * list are false; a list of one is its element's truth; anything else is true.
 */
function runIf(s: Session, st: Node, lines: string[]): void {
  const condition = st.childForFieldName("condition");
  if (!condition) throw notSupported("an if statement without a condition");
  if (st.namedChildren.some((k) => k.type === "elseif_clauses")) throw notSupported("elseif");
  const truth = (v: PSValue): boolean => (Array.isArray(v) ? (v.length === 1 ? truth(v[0]!) : v.length > 0) : v !== null && v !== "" && v !== 0 && v !== false);
  const cmds = commandsOf(condition);
  if (cmds) throw notSupported("a command as an if condition");
  const block = truth(evaluate(s, condition)) ? st.namedChildren.find((k) => k.type === "statement_block") : st.childForFieldName("else_clause")?.namedChildren.find((k) => k.type === "statement_block");
  const list = block?.childForFieldName("statement_list") ?? block?.namedChildren.find((k) => k.type === "statement_list");
  for (const inner of list?.namedChildren ?? []) runStatement(s, inner, lines);
}

export async function runPowerShell(ctx: SandboxContext, body: Record<string, unknown>): Promise<RunResult> {
  const bad: string[] = [];
  if (typeof body.script !== "string" || body.script.length === 0 || body.script.length > 256 * 1024) bad.push("script");
  const tenant = typeof body.tenant === "string" ? findTenant(ctx.store, body.tenant) : [...ctx.store.tenants.values()][0];
  if (!tenant) bad.push("tenant");
  if (body.trace !== undefined && typeof body.trace !== "boolean") bad.push("trace");
  for (const k of Object.keys(body)) if (k !== "script" && k !== "tenant" && k !== "trace") bad.push(k);
  if (bad.length) throw new RunInputError(bad, `Invalid runner input: ${bad.join(", ")}. Expected {"script": "<PowerShell text, ≤ 256 KB>", "tenant": "<tenant id or domain>", "trace"?: true|false}.`);
  const script = body.script as string;
  const s = newSession(ctx, tenant!.id, body.trace === true);
  const tree = await parse(script);
  const lines = script.split(/\r?\n/);
  s.out.push(`PS ${tenant!.domains[0] ?? tenant!.id}> .\\script.ps1`);
  const unparsable = tree.rootNode.hasError ? findError(tree.rootNode) ?? tree.rootNode : findLoneUnicodeQuote(tree.rootNode);
  if (unparsable) {
    const row = unparsable.startPosition.row;
    s.errors++;
    s.out.push(formatError(null, new PSError("The script has a syntax error and was not run (ParserError).", { category: "ParserError", exceptionType: "ParseException", errorId: "ParseError", span: { start: 0, length: 1 } }), row + 1, unparsable.startPosition.column, lines[row] ?? ""));
    return { transcript: s.out.join("\n"), ok: false, errors: s.errors, ...(s.trace ? { trace: s.trace } : {}) };
  }
  const list = tree.rootNode.namedChildren.find((n) => n.type === "statement_list");
  try {
    for (const n of tree.rootNode.namedChildren) {
      if (n === list) for (const st of list.namedChildren) runStatement(s, st, lines);
      else if (n.type !== "comment") runStatement(s, n, lines);
    }
  } catch (e) {
    if (!(e instanceof PSStop)) throw e;
  }
  return { transcript: s.out.join("\n"), ok: s.errors === 0, errors: s.errors, ...(s.trace ? { trace: s.trace } : {}) };
}

const QUOTES = "'\u2018\u2019\u201A\u201B";

/**
 * The tree-sitter grammar ends a '…' string only at the ASCII apostrophe, but PowerShell's tokenizer
 * also ends it at U+2018..U+201B unless another quote character follows (about_Quoting_Rules; the
 * tokenizer's IsSingleQuote). A lone Unicode quote inside a token therefore means PowerShell would read
 * the script differently from the grammar: refused as a syntax error rather than run the grammar's way.
 */
function findLoneUnicodeQuote(root: Node): Node | null {
  for (const n of root.descendantsOfType("verbatim_string_characters")) {
    const t = n.text;
    for (let i = 1; i < t.length - 1; i++) {
      if (!QUOTES.includes(t[i]!)) continue;
      if (i + 1 >= t.length - 1 || !QUOTES.includes(t[i + 1]!)) return n;
      i++; // a pair stands for one quote
    }
  }
  return null;
}

function findError(n: Node): Node | null {
  if (n.type === "ERROR" || n.isMissing) return n;
  for (const c of n.children) {
    const hit = findError(c);
    if (hit) return hit;
  }
  return null;
}
