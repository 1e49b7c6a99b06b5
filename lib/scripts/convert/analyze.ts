import "server-only";
import { aliasesOf } from "./aliases";
import { POSITIONAL, resolveParameter } from "./parameters";
import { core, literalValue, type Node } from "./parse";
import type { Problem } from "./problems";
import { smtpServerProblem } from "./smtp-server";
import { literalAssignment, resolveSplat, variableName } from "./splat";

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface BoundArg {
  /** The full parameter name (Send-MailMessage's). */
  param: string;
  via: "named" | "positional" | "splat";
  /** The argument (null for a switch written without a value). */
  value: Node | null;
}

export interface CallAnalysis {
  command: Node;
  line: number;
  args: BoundArg[];
  /** The commands piped into this one (attachment paths come from them). */
  pipelineInput: string | null;
  problems: Problem[];
  /** Edits that convert this call (its name, abbreviated parameter names, abbreviated splat keys). */
  edits: Edit[];
  converted: boolean;
}

export const SEND_MAIL = "Send-MailMessage";
export const SEND_GRAPH = "Send-GraphMailMessage";
const QUALIFIED = /^(?:microsoft\.powershell\.utility\\)?(.*)$/i;

const lineOf = (n: Node) => n.startPosition.row + 1;
const isSep = (n: Node) => n.type === "command_argument_sep";
const truncate = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}…` : s).replace(/\s+/g, " ");

/** The command's name node and whether it names `target` (bare, module-qualified, or a quoted name after & or .). */
function commandName(cmd: Node): { node: Node; name: string | null; viaVariable: Node | null } | null {
  const bare = cmd.namedChildren.find((c) => c.type === "command_name");
  if (bare) return { node: bare, name: QUALIFIED.exec(bare.text)![1]!, viaVariable: null };
  const expr = cmd.namedChildren.find((c) => c.type === "command_name_expr");
  if (!expr) return null;
  let c = core(expr.namedChildren[0] ?? expr);
  // `& $cmd` is a path_command_name around the variable; `& Send-MailMessage` one around the bare name.
  if (c.type === "path_command_name") {
    const only = c.namedChildren.length === 1 ? c.namedChildren[0]! : null;
    if (only?.type === "variable") c = only;
    else return { node: c, name: QUALIFIED.exec(c.text)![1]!, viaVariable: null };
  }
  if (c.type === "variable") return { node: c, name: null, viaVariable: c };
  const v = literalValue(c);
  return { node: c, name: v === null ? null : QUALIFIED.exec(v)![1]!, viaVariable: null };
}

/**
 * Every command that calls `target` (Send-MailMessage in an original, Send-GraphMailMessage in a converted
 * file): by name, module-qualified, after & or ., or through an alias the file defines with Set-Alias/New-Alias.
 */
export function analyzeCalls(root: Node, target: string = SEND_MAIL): { calls: CallAnalysis[]; viaVariable: Problem[] } {
  const calls: CallAnalysis[] = [];
  const viaVariable: Problem[] = [];
  const aliases = new Set(aliasesOf(root, target).map((a) => a.name.toLowerCase()));
  for (const cmd of root.descendantsOfType("command")) {
    const named = commandName(cmd);
    if (!named) continue;
    if (named.viaVariable) {
      const v = literalAssignment(root, variableName(named.viaVariable.text), cmd.startIndex);
      if (v && QUALIFIED.exec(v.value)![1]!.toLowerCase() === target.toLowerCase()) {
        viaVariable.push({
          line: lineOf(cmd),
          kind: "called-through-variable",
          blocking: true,
          message: `${target} is called through ${named.viaVariable.text} (set on line ${v.line}): not converted. Call Send-GraphMailMessage by name, or set the variable to 'Send-GraphMailMessage'.`,
        });
      }
      continue;
    }
    const name = named.name?.toLowerCase();
    if (name === target.toLowerCase()) calls.push(analyzeCall(root, cmd, named.node, false));
    else if (name !== undefined && aliases.has(name)) calls.push(analyzeCall(root, cmd, named.node, true));
  }
  return { calls, viaVariable };
}

function analyzeCall(root: Node, cmd: Node, nameNode: Node, viaAlias: boolean): CallAnalysis {
  const problems: Problem[] = [];
  const edits: Edit[] = [];
  const args: BoundArg[] = [];
  const line = lineOf(cmd);
  const elements = (cmd.childForFieldName("command_elements") ?? cmd.namedChildren.find((c) => c.type === "command_elements"))?.namedChildren ?? [];
  const positional: Node[] = [];
  const block = (kind: Problem["kind"], message: string, at: Node = cmd) => problems.push({ line: lineOf(at), kind, message, blocking: true });

  for (let i = 0; i < elements.length; i++) {
    const el = elements[i]!;
    if (isSep(el) || el.type === "comment" || el.type.includes("redirection")) continue;
    if (el.type === "command_parameter") {
      const written = el.text.replace(/^-/, "").replace(/:$/, "");
      const r = resolveParameter(written);
      if (r.kind === "unknown") {
        block("unknown-parameter", `-${written} is not a parameter of Send-MailMessage: the call fails today. Not converted.`, el);
        continue;
      }
      if (r.kind === "ambiguous") {
        block("ambiguous-parameter", `-${written} is ambiguous (${r.candidates.map((c) => `-${c}`).join(", ")}): PowerShell refuses it. Not converted.`, el);
        continue;
      }
      if (!r.exact) edits.push({ start: el.startIndex, end: el.startIndex + 1 + written.length, text: `-${r.spec.name}` });
      // A value follows unless this is a switch without `:value`.
      const sep = elements[i + 1];
      const colon = el.text.endsWith(":") || (sep && isSep(sep) && sep.text.startsWith(":"));
      if (r.spec.switch && !colon) {
        args.push({ param: r.spec.name, via: "named", value: null });
        continue;
      }
      let j = i + 1;
      while (j < elements.length && (isSep(elements[j]!) || elements[j]!.type === "comment")) j++;
      const value = elements[j];
      if (!value || value.type === "command_parameter") {
        block("missing-value", `-${written} has no value: the call fails today. Not converted.`, el);
        continue;
      }
      args.push({ param: r.spec.name, via: "named", value });
      i = j;
      continue;
    }
    const c = core(el);
    if (c.type === "variable" && c.text.startsWith("@")) {
      splatArgs(root, cmd, c, args, edits, problems);
      continue;
    }
    if (c.type === "expression_with_unary_operator" && c.text.startsWith("-") && c.descendantsOfType("variable").length > 0) {
      block(
        "dynamic-parameter-name",
        `${c.text} is a value, not a parameter name: PowerShell does not take parameter names from variables. Build a hashtable and splat it (@params) instead. Not converted.`,
        el,
      );
      continue;
    }
    positional.push(el);
  }

  // Positional arguments fill To, Subject, Body, SmtpServer — those not bound by name — in that order.
  const free: string[] = POSITIONAL.filter((p) => !args.some((a) => a.param === p));
  for (const p of positional) {
    const param = free.shift();
    if (!param) {
      block("extra-positional", `${truncate(p.text)} is one positional argument too many for Send-MailMessage. Not converted.`, p);
      continue;
    }
    args.push({ param, via: "positional", value: p });
  }

  callLevelProblems(root, cmd, args).forEach((p) => problems.push(p));

  const converted = !problems.some((p) => p.blocking);
  if (converted) {
    const n = nameNode;
    // A call through an alias of Send-MailMessage is renamed like a direct one (the alias itself is left as it is).
    const text = n.type === "command_name" || viaAlias ? SEND_GRAPH : n.text.replace(/(?:microsoft\.powershell\.utility\\)?send-mailmessage/i, SEND_GRAPH);
    edits.unshift({ start: n.startIndex, end: n.endIndex, text });
  }
  const pipelineInput = pipedInto(cmd);
  return { command: cmd, line, args, pipelineInput, problems, edits: converted ? edits : [], converted };
}

function splatArgs(root: Node, cmd: Node, splat: Node, args: BoundArg[], edits: Edit[], problems: Problem[]): void {
  const name = variableName(splat.text);
  const state = resolveSplat(root, name, cmd);
  if (!state.known) {
    problems.push({
      line: lineOf(splat),
      kind: "splat-unresolved",
      blocking: false,
      message: `${splat.text} is splatted but ${state.reason}: its keys are passed on as they are (Send-GraphMailMessage takes Send-MailMessage's parameter names). Check them.`,
    });
    return;
  }
  for (const e of state.entries) {
    if (e.key === null) {
      problems.push({
        line: lineOf(e.at),
        kind: "splat-dynamic-key",
        blocking: false,
        message: `${splat.text} gets a key computed at run time (${truncate(e.keyNode.text)}): it must be one of Send-MailMessage's full parameter names.`,
      });
      continue;
    }
    const r = resolveParameter(e.key);
    if (r.kind !== "ok") {
      problems.push({
        line: lineOf(e.at),
        kind: r.kind === "ambiguous" ? "ambiguous-parameter" : "unknown-parameter",
        blocking: true,
        message: `${splat.text} has the key ${e.key}, which is ${r.kind === "ambiguous" ? "ambiguous" : "not a parameter of Send-MailMessage"}: the call fails today. Not converted.`,
      });
      continue;
    }
    if (!r.exact) {
      // Rewrite the key where it is written: a bare name, or the text inside its quotes.
      const k = e.keyNode;
      const inner = k.type === "simple_name" || k.type === "generic_token" ? { start: k.startIndex, end: k.endIndex } : { start: k.startIndex + 1, end: k.endIndex - 1 };
      edits.push({ ...inner, text: r.spec.name });
    }
    args.push({ param: r.spec.name, via: "splat", value: e.value });
  }
}

function callLevelProblems(root: Node, cmd: Node, args: BoundArg[]): Problem[] {
  const out: Problem[] = [];
  const line = lineOf(cmd);
  const cred = args.find((a) => a.param === "Credential");
  if (cred) {
    out.push({
      line: cred.value ? lineOf(cred.value) : line,
      kind: "credential",
      blocking: false,
      message:
        `-Credential ${cred.value ? truncate(cred.value.text) + " " : ""}is an SMTP account's sign-in: Send-GraphMailMessage ignores it (with a warning). ` +
        "Once no script uses that account for SMTP, remove its stored password (an Export-Clixml file, a plain-text or ConvertTo-SecureString password in the script, a credential-store entry) and turn SMTP AUTH off for it.",
    });
  }
  const server = args.find((a) => a.param === "SmtpServer");
  if (server?.value) {
    const p = smtpServerProblem(root, server.value, cmd.startIndex);
    if (p) out.push(p);
  } else if (!server) {
    const ps = literalAssignment(root, "psemailserver", cmd.startIndex);
    const p = ps ? smtpServerProblem(root, null, cmd.startIndex, ps) : null;
    if (p) out.push(p);
  }
  return out;
}

function pipedInto(cmd: Node): string | null {
  const chain = cmd.parent;
  if (!chain || chain.type !== "pipeline_chain") return null;
  const before = chain.namedChildren.filter((c) => c.endIndex <= cmd.startIndex && c.type !== "comment");
  return before.length ? before.map((c) => c.text).join(" | ") : null;
}
