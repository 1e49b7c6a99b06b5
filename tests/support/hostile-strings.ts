/**
 * Hostile strings for the script generators' tests (issue 6 and issue 10: "1,200 hostile strings for
 * every generator"). Deterministic (mulberry32), so a failure names a reproducible string.
 *
 * The list starts with every piece on its own and the hand-picked nasties below, then fills up with
 * random concatenations of 1–8 pieces; every 40th string is long (2,000–20,000 characters). NUL is
 * left out on purpose: the quoting functions refuse it (UnsafeScriptValue), which the tests check
 * separately for every slot.
 */

/** Every character PowerShell or bash treats specially, in the forms a paste can carry. */
export const PIECES = [
  // Quotes of all kinds: ASCII, PowerShell's four Unicode single quotes, the Unicode double quotes.
  "'", "''", "'''", "\u2018", "\u2019", "\u201A", "\u201B", "\u2018\u2019", '"', '""', "\u201C", "\u201D", "\u201E",
  // Expansion and escapes: PowerShell and POSIX shell.
  "$", "$(", ")", "$(Remove-Item C:\\ -Recurse)", "${env:PATH}", "${", "}", "$x", "$true", "$null", "@x", "`", "`n", "`'", "`\"", "`$",
  "$'\\n'", '$"x"', "$((1+1))", "\\", "\\'", "\\\\", "!", "!!", "!-1", "\\$(id)", "`id`", "$(id)", "${IFS}", "~", "~root", "*", "?", "[a-z]", "{a,b}",
  // Statement separators and operators.
  ";", "|", "||", "&", "&&", ">", ">>", "<", "2>&1", "--%", "-Force", "--", "-", "\u2013Force", "\u2014", "\u2015", "=", "+", "-and", "-or",
  // Line breaks and other whitespace: LF, CRLF, CR, tab, NEL, line/paragraph separators, NBSP, zero-width.
  "\n", "\r\n", "\r", "\n\n", "\t", "\u0085", "\u2028", "\u2029", "\u00a0", "\u200b", "\ufeff", " ", "  ",
  // Here-strings, comments, blocks.
  "@'", "'@", '@"', '"@', "@'\n", "\n'@", '\n"@', "#", "<#", "#>", "<# x #>", "#requires", "{", "[", "]", "(", "@(", "@{", "::", ".",
  // Other control characters (NUL excepted: it is refused).
  "\u0001", "\u0007", "\u001b[31m", "\u007f",
  // Letters, confusables and scripts: Cyrillic а and е, Greek ο, fullwidth $ and ', RTL override, emoji, combining marks.
  "a", "Z", "0", "é", "e\u0301", "日本", "🙂", "👩‍💻", "\u0430dmin", "\u0435", "\u03bf", "\uff04", "\uff07", "\u202e", "ß", "İ",
  // Markup and injections aimed at other layers.
  // (Never a destructive command: the "check can fail" tests RUN naive scripts, in an empty directory
  // with an empty PATH, and a payload only has to be detectable, not harmful.)
  "<script>", "%", "%PATH%", "%%", "'; Remove-Item -Recurse C:\\; '", "\u2019 + $(whoami) + \u2018", "' -or 1 -eq 1 -or '", "'; echo PWNED; echo '",
  "x' ; Connect-ExchangeOnline ; '", "'\n Write-Host pwned\n'", "'@\nWrite-Host pwned\n@'",
];

/** Hand-picked: each of these must be in every run, whatever the seed. */
const MUST = [
  "", " ", "'", "\u2019", "\u2018\u2018", "'\u2019'\u2018", "$(", "${x}", "`", "\r\n", "'@", "@'", "<#", "#", "';|&$(whoami)`n\r\n@'",
  "x\u201C$(Get-Date)\u201D", "\u201A\u201B", "'\n'@\n@'\n'", "-Force", "a\\", "\\'", "'\\''", "!$", "A".repeat(20_000), "'".repeat(4_000),
  "\u2019".repeat(1_000), "$(".repeat(2_000),
];

/** A deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` hostile strings (n ≥ PIECES.length + MUST.length): pieces, the must-haves, then random mixes. */
export function hostileStrings(n: number, seed = 6): string[] {
  const r = rng(seed);
  const pick = () => PIECES[Math.floor(r() * PIECES.length)]!;
  const out = [...PIECES, ...MUST];
  for (let i = out.length; i < n; i++) {
    let s = "";
    if (i % 40 === 0) {
      const target = 2_000 + Math.floor(r() * 18_000);
      while (s.length < target) s += pick();
    } else {
      const k = 1 + Math.floor(r() * 8);
      for (let j = 0; j < k; j++) s += pick();
    }
    out.push(s);
  }
  return out.slice(0, n);
}

/** `count` values starting at `i` (wrapping), so each slot of a script gets a different hostile value. */
export function window(strings: string[], i: number, count: number): string[] {
  return Array.from({ length: count }, (_, k) => strings[(i + k * 97) % strings.length]!);
}
