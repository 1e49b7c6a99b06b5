import "server-only";

/**
 * How a script file was stored, so the converted file is written back the same way. It matters: Windows
 * PowerShell 5.1 reads a file without a byte-order mark as the system's ANSI code page (Windows-1252 in
 * Western Europe and the US), so re-saving a 1252 script as UTF-8 would change its non-ASCII characters
 * (https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_character_encoding).
 */
export type ScriptEncoding = "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" | "windows-1252";

export const ENCODING_LABELS: Record<ScriptEncoding, string> = {
  "utf-8": "UTF-8",
  "utf-8-bom": "UTF-8 with BOM",
  "utf-16le": "UTF-16 LE (Unicode)",
  "utf-16be": "UTF-16 BE",
  "windows-1252": "Windows-1252 (ANSI)",
};

export class EncodingError extends Error {}

/** Bytes → text: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise strict UTF-8, else Windows-1252. */
export function decodeScript(bytes: Uint8Array): { text: string; encoding: ScriptEncoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: strict("utf-8", bytes.subarray(3)), encoding: "utf-8-bom" };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    if (bytes[2] === 0 && bytes[3] === 0) throw new EncodingError("The file is UTF-32, which the converter does not read: save it as UTF-8 or UTF-16.");
    return { text: strict("utf-16le", bytes.subarray(2)), encoding: "utf-16le" };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: strict("utf-16be", bytes.subarray(2)), encoding: "utf-16be" };
  if (bytes.includes(0)) throw new EncodingError("The file contains NUL bytes: it is binary, or UTF-16 without a byte-order mark. Save it as UTF-8 or as UTF-16 with a BOM.");
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    return { text: decode1252(bytes), encoding: "windows-1252" };
  }
}

function strict(label: string, bytes: Uint8Array): string {
  try {
    const text = new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes);
    if (text.includes("\0")) throw new EncodingError("The file contains NUL characters: it is not a script.");
    return text;
  } catch (e) {
    if (e instanceof EncodingError) throw e;
    throw new EncodingError(`The file starts with a ${label.toUpperCase()} byte-order mark but is not valid ${label.toUpperCase()}.`);
  }
}

/**
 * Windows-1252's bytes 0x80–0x9F (the rest is Latin-1), from the WHATWG Encoding Standard's
 * index-windows-1252 (https://encoding.spec.whatwg.org/index-windows-1252.txt). Not Node's TextDecoder:
 * it decodes "windows-1252" as ISO-8859-1 (https://github.com/nodejs/node/issues/56542), turning € into U+0080.
 */
const CP1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];
function decode1252(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...Array.from(bytes.subarray(i, i + 8192), (b) => (b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b)));
  }
  return out;
}

let cp1252: Map<string, number> | undefined;
/** Windows-1252 reversed: character → byte. */
function table(): Map<string, number> {
  if (!cp1252) {
    cp1252 = new Map();
    for (let b = 0; b < 256; b++) cp1252.set(b >= 0x80 && b < 0xa0 ? String.fromCharCode(CP1252_HIGH[b - 0x80]!) : String.fromCharCode(b), b);
  }
  return cp1252;
}

/** Text → bytes in the file's own encoding (the BOM written back when it had one). */
export function encodeScript(text: string, encoding: ScriptEncoding): Uint8Array {
  switch (encoding) {
    case "utf-8":
      return new TextEncoder().encode(text);
    case "utf-8-bom":
      return concat([0xef, 0xbb, 0xbf], new TextEncoder().encode(text));
    case "utf-16le":
    case "utf-16be": {
      const out = new Uint8Array(2 + text.length * 2);
      const le = encoding === "utf-16le";
      out.set(le ? [0xff, 0xfe] : [0xfe, 0xff]);
      for (let i = 0; i < text.length; i++) {
        const u = text.charCodeAt(i);
        out[2 + i * 2] = le ? u & 0xff : u >> 8;
        out[3 + i * 2] = le ? u >> 8 : u & 0xff;
      }
      return out;
    }
    case "windows-1252": {
      const t = table();
      const out = new Uint8Array(text.length);
      let i = 0;
      for (const ch of text) {
        const b = t.get(ch);
        if (b === undefined) throw new EncodingError(`"${ch}" cannot be written in Windows-1252.`);
        out[i++] = b;
      }
      return out.subarray(0, i);
    }
  }
}

function concat(a: number[], b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
