/**
 * Parameter binding with PowerShell's rules (about_Parameters, about_Splatting): names are
 * case-insensitive and may be shortened to an unambiguous prefix; -Name:value and -Switch; @splat
 * hashtables; positional arguments only where the cmdlet declares positions; mandatory parameters;
 * an unknown parameter is an error, never ignored.
 */
import type Parser from "tree-sitter";
import { bindingError } from "./errors";
import { evaluate } from "./evaluate";
import type { Session } from "./session";
import { PSHash, PSObject, toText, type PSValue } from "./values";

export type ParamType = "string" | "string[]" | "switch" | "hashtable" | "hashtable[]" | "object" | "bool" | "enum";

export interface ParamDef {
  type: ParamType;
  mandatory?: boolean;
  position?: number;
  /** For "enum": the allowed names (PowerShell matches them case-insensitively). */
  values?: string[];
  /** .NET type named in conversion errors. */
  netType?: string;
}

export interface Cmdlet {
  name: string;
  /** Exchange cmdlets exist only after Connect-ExchangeOnline (the module imports them then). */
  module: "core" | "graph" | "exchange";
  params: Record<string, ParamDef>;
  /**
   * The cmdlet supports ShouldProcess: -WhatIf and -Confirm (about_CommonParameters, "risk mitigation
   * parameters"), as its reference's syntax lists them. -WhatIf describes the change and makes none.
   */
  shouldProcess?: { target: (args: Args) => string };
  /** Takes the previous command's output from the pipeline (Where-Object). */
  pipelineInput?: boolean;
  run(s: Session, args: Args, input?: PSValue[]): PSValue | void;
}

export type Args = Record<string, PSValue>;

/** Common parameters every cmdlet accepts (about_CommonParameters). ErrorAction Stop is honoured. */
const COMMON: Record<string, ParamDef> = {
  ErrorAction: { type: "enum", values: ["Continue", "Ignore", "Inquire", "SilentlyContinue", "Stop", "Suspend"] },
  WarningAction: { type: "enum", values: ["Continue", "Ignore", "Inquire", "SilentlyContinue", "Stop", "Suspend"] },
  Verbose: { type: "switch" },
  Debug: { type: "switch" },
};

/** Only for cmdlets that support ShouldProcess. */
const RISK: Record<string, ParamDef> = { WhatIf: { type: "switch" }, Confirm: { type: "switch" } };

const paramsOf = (c: Cmdlet): Record<string, ParamDef> => ({ ...c.params, ...COMMON, ...(c.shouldProcess ? RISK : {}) });

function resolveName(c: Cmdlet, given: string, span: { start: number; length: number }): string {
  const all = paramsOf(c);
  const names = Object.keys(all);
  const exact = names.find((n) => n.toLowerCase() === given.toLowerCase());
  if (exact) return exact;
  const prefix = names.filter((n) => n.toLowerCase().startsWith(given.toLowerCase()));
  if (prefix.length === 1) return prefix[0]!;
  if (prefix.length > 1) {
    throw bindingError(`Parameter cannot be processed because the parameter name '${given}' is ambiguous. Possible matches include: ${prefix.map((p) => `-${p}`).join(" ")}.`, "AmbiguousParameter", span);
  }
  throw bindingError(`A parameter cannot be found that matches parameter name '${given}'.`, "NamedParameterNotFound", span);
}

const net: Record<ParamType, string> = {
  string: "System.String", "string[]": "System.String[]", switch: "System.Management.Automation.SwitchParameter", hashtable: "System.Collections.Hashtable",
  "hashtable[]": "System.Collections.Hashtable[]", object: "System.Object", bool: "System.Boolean", enum: "System.String",
};

function typeNameOf(v: PSValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "System.Object[]";
  if (v instanceof PSHash) return "System.Collections.Hashtable";
  if (v instanceof PSObject) return v.typeName;
  if (v instanceof Uint8Array) return "System.Byte[]";
  return typeof v === "string" ? "System.String" : typeof v === "number" ? "System.Int32" : "System.Boolean";
}

function convert(name: string, def: ParamDef, v: PSValue, span?: { start: number; length: number }): PSValue {
  const fail = (why?: string) =>
    bindingError(`Cannot bind parameter '${name}'. Cannot convert the "${toText(v)}" value of type "${typeNameOf(v)}" to type "${def.netType ?? net[def.type]}".${why ? ` ${why}` : ""}`, `CannotConvertArgumentNoMessage`, span);
  const scalar = (x: PSValue) => typeof x === "string" || typeof x === "number" || typeof x === "boolean";
  switch (def.type) {
    case "string":
      if (Array.isArray(v) && v.length === 1) v = v[0]!;
      if (v === null) return null;
      if (!scalar(v)) throw fail();
      return toText(v);
    case "string[]": {
      const list = Array.isArray(v) ? v : [v];
      if (!list.every((x) => x === null || scalar(x))) throw fail();
      return list.map(toText);
    }
    case "enum": {
      const text = scalar(v) ? toText(v) : "";
      const hit = def.values?.find((x) => x.toLowerCase() === text.toLowerCase());
      if (!hit) {
        throw bindingError(`Cannot bind parameter '${name}'. Cannot convert value "${text}" to type "${def.netType ?? "System.String"}". Error: "Unable to match the identifier name ${text} to a valid enumerator name. Specify one of the following enumerator names and try again: ${(def.values ?? []).join(", ")}"`, "CannotConvertArgumentNoMessage", span);
      }
      return hit;
    }
    case "switch":
    case "bool":
      if (typeof v !== "boolean") throw fail();
      return v;
    case "hashtable":
      if (!(v instanceof PSHash)) throw fail();
      return v;
    case "hashtable[]": {
      const list = Array.isArray(v) ? v : [v];
      if (!list.every((x) => x instanceof PSHash)) throw fail();
      return list;
    }
    case "object":
      return v;
  }
}

/** Binds a command's elements (the nodes after its name) to the cmdlet's parameters. */
export function bind(s: Session, c: Cmdlet, elements: Parser.SyntaxNode[], offset: number): Args {
  const args: Args = {};
  const positional: { v: PSValue; span: { start: number; length: number } }[] = [];
  const spanOf = (n: Parser.SyntaxNode) => ({ start: n.startPosition.column - offset, length: n.text.length });
  const set = (name: string, v: PSValue, span: { start: number; length: number }) => {
    if (name in args) throw bindingError(`Cannot bind parameter because parameter '${name}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".`, "ParameterAlreadyBound", span);
    const def = paramsOf(c)[name]!;
    args[name] = convert(name, def, v, span);
  };
  const items = elements.filter((e) => !(e.type === "command_argument_sep" && e.text.trim() === ""));
  for (let i = 0; i < items.length; i++) {
    const e = items[i]!;
    if (e.type === "command_parameter") {
      const name = resolveName(c, e.text.replace(/^-/, "").replace(/:$/, ""), spanOf(e));
      const def = paramsOf(c)[name]!;
      const colon = items[i + 1]?.type === "command_argument_sep" && items[i + 1]!.text.trim() === ":";
      if (colon) {
        set(name, evaluate(s, items[i + 2]!), spanOf(e));
        i += 2;
      } else if (def.type === "switch") {
        set(name, true, spanOf(e));
      } else {
        const next = items[i + 1];
        if (!next || next.type === "command_parameter") {
          throw bindingError(`Missing an argument for parameter '${name}'. Specify a parameter of type '${def.netType ?? net[def.type]}' and try again.`, "MissingArgument", spanOf(e));
        }
        set(name, evaluate(s, next), spanOf(e));
        i++;
      }
      continue;
    }
    const splat = e.type === "array_literal_expression" && /^@[A-Za-z_]\w*$/.test(e.text);
    if (splat) {
      const h = s.vars.get(e.text.slice(1).toLowerCase());
      if (!(h instanceof PSHash)) throw bindingError(`Splatted variable '${e.text}' is not a hashtable.`, "SplattingNotHashtable", spanOf(e));
      for (const [k, v] of h.entries()) set(resolveName(c, k, spanOf(e)), v, spanOf(e));
      continue;
    }
    positional.push({ v: evaluate(s, e), span: spanOf(e) });
  }
  const byPosition = Object.entries(c.params).filter(([n, d]) => d.position !== undefined && !(n in args)).sort((a, b) => a[1].position! - b[1].position!);
  for (const p of positional) {
    const slot = byPosition.shift();
    if (!slot) throw bindingError(`A positional parameter cannot be found that accepts argument '${toText(p.v)}'.`, "PositionalParameterNotFound", p.span);
    set(slot[0], p.v, p.span);
  }
  const missing = Object.entries(c.params).filter(([n, d]) => d.mandatory && !(n in args)).map(([n]) => n);
  if (missing.length) {
    // A script cannot answer the console's prompt for mandatory parameters.
    throw bindingError(`Cannot process command because of one or more missing mandatory parameters: ${missing.join(" ")}.`, "MissingMandatoryParameter");
  }
  return args;
}

/** Keys a hashtable may carry for a Graph object type; others are refused as the Graph SDK does. */
export function checkKeys(param: string, typeName: string, h: PSHash, allowed: string[]): void {
  for (const k of h.keys()) {
    if (!allowed.some((a) => a.toLowerCase() === k.toLowerCase())) {
      throw bindingError(`Cannot bind parameter '${param}'. Cannot create object of type "${typeName}". The ${k} property was not found for the ${typeName} object. The available property is: ${allowed.map((a) => `[${a}]`).join(" , ")}`, "CannotConvertArgumentNoMessage");
    }
  }
}
