/**
 * Quoting for generated scripts. Every value the portal places in a script goes through one of these:
 * nothing is ever interpolated unquoted (issue 6: hostile input must stay a string literal).
 *
 * PowerShell: a single-quoted (verbatim) string expands nothing — no $variables, no $(sub-expressions),
 * no `backtick escapes. Its only special characters are the quote characters, and PowerShell treats
 * the ASCII apostrophe AND the Unicode single quotes U+2018 ‘, U+2019 ’, U+201A ‚, U+201B ‛ as quotes
 * (about_Quoting_Rules; the tokenizer's IsSingleQuote). Inside the literal, two quote characters in a
 * row stand for one, so doubling each of them keeps the value intact.
 */
const PS_SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

export class UnsafeScriptValue extends Error {}

function refuseNul(value: string): void {
  // NUL cannot be typed in a console and truncates strings in native calls: refuse rather than guess.
  if (value.includes("\0")) throw new UnsafeScriptValue("A value placed in a script contains a NUL character.");
}

/** A PowerShell single-quoted literal whose value is exactly `value`. */
export function psQuote(value: string): string {
  refuseNul(value);
  return `'${value.replace(PS_SINGLE_QUOTES, (q) => q + q)}'`;
}

/** A PowerShell array of single-quoted literals: @('a', 'b'). */
export function psArray(values: readonly string[]): string {
  return `@(${values.map(psQuote).join(", ")})`;
}

/**
 * A POSIX shell single-quoted word: nothing inside expands; a ' is written as '\'' (close, escaped
 * quote, reopen).
 */
export function shQuote(value: string): string {
  refuseNul(value);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * An OPATH string literal (RecipientRestrictionFilter): single-quoted, a ' doubled. The whole filter
 * is then itself passed through psQuote, so an address such as o'brien@contoso.com is quoted twice,
 * once for each language.
 */
export function opathQuote(value: string): string {
  refuseNul(value);
  return `'${value.replace(/'/g, "''")}'`;
}
