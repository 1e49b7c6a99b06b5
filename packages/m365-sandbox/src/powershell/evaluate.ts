/**
 * Expressions as the generators write them: single- and double-quoted strings ("$x" and "$($a.B)"
 * expand), numbers, $true/$false/$null, variables, member access, @( ) arrays, comma lists, @{ }
 * hashtables, ( ) and [System.Convert]::FromBase64String('…'). Anything else is refused with a
 * PowerShell-shaped error rather than guessed at.
 */
import type Parser from "tree-sitter";
import { notSupported, PSError } from "./errors";
import type { Session } from "./session";
import { PSHash, PSObject, toText, type PSValue } from "./values";

type Node = Parser.SyntaxNode;

/** PowerShell's quote characters: the apostrophe and U+2018..U+201B (about_Quoting_Rules). */
const QUOTES = "'\u2018\u2019\u201A\u201B";

export function decodeVerbatim(token: string): string {
  let out = "";
  for (let i = 1; i < token.length - 1; i++) {
    const c = token[i]!;
    // Two quote characters in a row stand for one (the tokenizer keeps the second).
    if (QUOTES.includes(c) && QUOTES.includes(token[i + 1] ?? "")) i++;
    out += token[i];
  }
  return out;
}

// Comments may sit anywhere between tokens (inside @{ } and @( ) too): they are not values.
const named = (n: Node) => n.namedChildren.filter((k) => k.type !== "comment");

export function evaluate(s: Session, n: Node): PSValue {
  switch (n.type) {
    case "pipeline":
    case "pipeline_chain":
    case "logical_expression":
    case "bitwise_expression":
    case "comparison_expression":
    case "additive_expression":
    case "multiplicative_expression":
    case "format_expression":
    case "range_expression":
    case "unary_expression":
    case "string_literal":
    case "integer_literal":
    case "argument_expression":
    case "logical_argument_expression":
    case "bitwise_argument_expression":
    case "comparison_argument_expression":
    case "additive_argument_expression":
    case "multiplicative_argument_expression":
    case "format_argument_expression":
    case "range_argument_expression": {
      const kids = named(n);
      if (kids.length !== 1) throw notSupported(`the operator in '${n.text.slice(0, 40)}'`);
      return evaluate(s, kids[0]!);
    }
    case "array_literal_expression": {
      const items = named(n).map((k) => evaluate(s, k));
      return items.length === 1 ? items[0]! : items;
    }
    case "generic_token":
      // A bare word in command mode is a string argument (-AccessRight RestrictAccess).
      return n.text;
    case "decimal_integer_literal":
      return Number(n.text);
    case "verbatim_string_characters":
      return decodeVerbatim(n.text);
    case "expandable_string_literal":
      return expand(s, n);
    case "variable":
      return variable(s, n.text);
    case "member_access": {
      const [target, member] = named(n);
      return member_(evaluate(s, target!), member!.text);
    }
    case "array_expression": {
      const list = n.childForFieldName("statements");
      const out: PSValue[] = [];
      for (const st of list ? named(list) : []) {
        const v = evaluate(s, st);
        if (Array.isArray(v)) out.push(...v);
        else out.push(v);
      }
      return out;
    }
    case "parenthesized_expression":
      return evaluate(s, named(n)[0]!);
    case "hash_literal_expression":
      return hashtable(s, n);
    case "invokation_expression":
      return invoke(s, n);
    default:
      throw notSupported(`'${n.type.replace(/_/g, " ")}' (${n.text.slice(0, 40)})`);
  }
}

function variable(s: Session, text: string): PSValue {
  const name = text.replace(/^[$@]/, "").replace(/^\{|\}$/g, "").toLowerCase();
  if (name === "true") return true;
  if (name === "false") return false;
  if (name === "null") return null;
  // Unset variables are $null outside strict mode, as in PowerShell.
  return s.vars.get(name) ?? null;
}

function member_(v: PSValue, name: string): PSValue {
  if (v instanceof PSObject) return v.get(name) ?? null;
  if (v instanceof PSHash) return v.get(name) ?? null;
  if (Array.isArray(v)) {
    if (name.toLowerCase() === "count" || name.toLowerCase() === "length") return v.length;
    // Member enumeration: $list.Id is every element's Id.
    const each = v.map((x) => member_(x, name));
    return each.length === 1 ? each[0]! : each;
  }
  if (typeof v === "string" && name.toLowerCase() === "length") return v.length;
  return null;
}

function hashtable(s: Session, n: Node): PSHash {
  const h = new PSHash();
  const body = named(n).find((k) => k.type === "hash_literal_body");
  for (const entry of body ? named(body) : []) {
    if (entry.type !== "hash_entry") continue;
    const [key, value] = named(entry);
    const k = key!.namedChildren[0];
    const name = k?.type === "string_literal" ? toText(evaluate(s, k)) : key!.text;
    h.set(name, evaluate(s, value!));
  }
  return h;
}

function invoke(s: Session, n: Node): PSValue {
  const type = named(n).find((k) => k.type === "type_literal")?.text.replace(/\s+/g, "").toLowerCase();
  const method = named(n).find((k) => k.type === "member_name")?.text.toLowerCase();
  const args = named(n).find((k) => k.type === "argument_list");
  if ((type === "[system.convert]" || type === "[convert]") && method === "frombase64string" && args) {
    const text = toText(evaluate(s, args.namedChildren[0]!.namedChildren[0]!));
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
      throw new PSError(`Exception calling "FromBase64String" with "1" argument(s): "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters."`, {
        category: "NotSpecified", exceptionType: "MethodInvocationException", errorId: "FormatException",
      });
    }
    return new Uint8Array(Buffer.from(text, "base64"));
  }
  throw notSupported(`the method call '${n.text.slice(0, 60)}'`);
}

/** "…" strings: $var and $(…) expand; backtick escapes; "" is a quote. */
function expand(s: Session, n: Node): string {
  const text = n.text;
  let out = "";
  let cursor = 1;
  const literal = (raw: string) => raw.replace(/`(.)/g, (_m, c: string) => ({ n: "\n", t: "\t", r: "\r", "0": "\0", a: "\x07" })[c as "n"] ?? c).replace(/""/g, '"');
  for (const child of named(n)) {
    const at = text.indexOf(child.text, cursor);
    out += literal(text.slice(cursor, at));
    if (child.type === "variable") out += toText(variable(s, child.text));
    else if (child.type === "sub_expression") {
      const list = child.childForFieldName("statements");
      out += (list ? named(list) : []).map((st) => toText(evaluate(s, st))).join(" ");
    } else throw notSupported(`'${child.text}' inside a string`);
    cursor = at + child.text.length;
  }
  return out + literal(text.slice(cursor, text.length - 1));
}
