/**
 * Where to send someone after sign-in, from an untrusted `callbackUrl`. Browser-safe (no server-only):
 * the sign-in page and its client form both use it.
 *
 * Only a path on the portal itself is kept. Browsers treat `\` as `/` and drop TAB/CR/LF inside URLs
 * (WHATWG URL parsing), so `/\evil.example/x` and `/<TAB>/evil.example` both become `//evil.example…`,
 * a protocol-relative URL that leaves the site. See https://url.spec.whatwg.org/#concept-basic-url-parser
 * and OWASP's "Unvalidated Redirects and Forwards Cheat Sheet".
 */
const BASE = "http://portal.invalid";

// C0 controls, DEL and C1 controls: never part of a path a person typed or a link the portal made.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A string that is unsafe on its face: not a single leading `/`, or a backslash or control character anywhere. */
function unsafe(s: string): boolean {
  return !s.startsWith("/") || s[1] === "/" || s[1] === "\\" || s.includes("\\") || CONTROL.test(s);
}

/** Percent-decodes ASCII escapes (%5C, %2F, %09 …) only, leaving anything else as it is (never throws). */
function decodeAscii(s: string): string {
  return s.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function safeRedirectPath(raw: unknown, fallback = "/"): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2048) return fallback;
  // Check the string as given and as any later layer might decode it (%5C → `\`, %2F%2F → `//`, and
  // double encodings), so a redirect that is safe here stays safe after another decode.
  let s = raw;
  for (let depth = 0; ; depth++) {
    if (unsafe(s)) return fallback;
    const next = decodeAscii(s);
    if (next === s) break;
    if (depth === 3) return fallback; // still encoded after four layers: not a link the portal made
    s = next;
  }
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
