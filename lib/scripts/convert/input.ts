import "server-only";
import { unzipSync } from "fflate";
import { decodeScript, EncodingError, type ScriptEncoding } from "./encoding";

/** One script file's largest size (bytes), original or converted: the inventory keeps both. */
export const MAX_SCRIPT_BYTES = 1024 * 1024;
/** Scripts per upload (files, zip entries and the pasted one together). */
export const MAX_SCRIPTS = 100;
/** A zip's entries (scripts or not) and the sum of their declared sizes. */
export const MAX_ZIP_ENTRIES = 1000;
export const MAX_ZIP_TOTAL_BYTES = 32 * 1024 * 1024;

export interface ScriptInput {
  name: string;
  text: string;
  encoding: ScriptEncoding;
}

export interface Refusal {
  name: string;
  reason: string;
}

const SCRIPT_NAME = /\.(ps1|psm1)$/i;
// Control characters (CR, LF, NUL, …) and the bidi overrides that make a name read differently than it is.
const BAD_NAME_CHARS = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
const shown = (name: string) => name.replace(new RegExp(BAD_NAME_CHARS.source, "g"), "?");

/** A file's name as shown and downloaded: no path, no control characters, a .ps1 or .psm1 extension. */
export function checkName(raw: string): { name: string } | { reason: string } {
  if (BAD_NAME_CHARS.test(raw)) return { reason: "Its name contains control characters." };
  const name = raw.trim();
  if (!name) return { reason: "It has no name." };
  if (name.length > 200) return { reason: "Its name is longer than 200 characters." };
  if (!SCRIPT_NAME.test(name)) return { reason: "It is not a .ps1 or .psm1 file." };
  return { name };
}

/** A zip entry's path, refused when it could point outside the folder it is unpacked into. */
export function checkZipPath(raw: string): { name: string } | { reason: string } | { skip: true } {
  const p = raw.replace(/\\/g, "/");
  if (p.endsWith("/") || p.startsWith("__MACOSX/")) return { skip: true };
  if (p.startsWith("/") || /^[a-z]:/i.test(p)) return { reason: "It has an absolute path: refused." };
  if (p.split("/").some((s) => s === "..")) return { reason: "Its path climbs out of the archive (..): refused." };
  const name = p.split("/").filter((s) => s !== "" && s !== ".").join("/");
  if (!SCRIPT_NAME.test(name)) return { skip: true };
  return checkName(name);
}

function decode(name: string, bytes: Uint8Array, out: ScriptInput[], refused: Refusal[]): void {
  if (bytes.length > MAX_SCRIPT_BYTES) {
    refused.push({ name, reason: `It is larger than ${MAX_SCRIPT_BYTES / 1024 / 1024} MB.` });
    return;
  }
  try {
    out.push({ name, ...decodeScript(bytes) });
  } catch (e) {
    if (!(e instanceof EncodingError)) throw e;
    refused.push({ name, reason: e.message });
  }
}

function isZip(name: string, bytes: Uint8Array): boolean {
  return /\.zip$/i.test(name) || (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04);
}

/**
 * Unpacks a zip in memory, refusing what a hostile archive uses: absolute paths and `..` (zip slip), more
 * entries or declared bytes than the limits, and a single entry larger than a script may be. Sizes come from
 * the central directory and cap what is inflated (fflate writes an entry into a buffer of its declared size,
 * never more), so a zip bomb cannot grow past them.
 */
function unzip(zipName: string, bytes: Uint8Array, out: ScriptInput[], refused: Refusal[]): void {
  let entries = 0;
  let total = 0;
  let tooBig = false;
  const chosen = new Map<string, string>();
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter(f) {
        entries++;
        if (entries > MAX_ZIP_ENTRIES || tooBig) {
          tooBig = true;
          return false;
        }
        const checked = checkZipPath(f.name);
        if ("skip" in checked) return false;
        const entry = `${zipName}: ${shown(f.name)}`;
        if ("reason" in checked) {
          refused.push({ name: entry, reason: checked.reason });
          return false;
        }
        if (f.originalSize > MAX_SCRIPT_BYTES) {
          refused.push({ name: entry, reason: `It unpacks to ${f.originalSize.toLocaleString("en-US")} bytes, more than a script may be (${MAX_SCRIPT_BYTES / 1024 / 1024} MB).` });
          return false;
        }
        total += f.originalSize;
        if (total > MAX_ZIP_TOTAL_BYTES) {
          tooBig = true;
          return false;
        }
        if (f.compression !== 0 && f.compression !== 8) {
          refused.push({ name: entry, reason: "It is compressed with a method other than deflate." });
          return false;
        }
        chosen.set(f.name, checked.name);
        return true;
      },
    });
  } catch {
    refused.push({ name: zipName, reason: "It is not a valid zip archive." });
    return;
  }
  if (tooBig) {
    refused.push({ name: zipName, reason: `It holds more than ${MAX_ZIP_ENTRIES} entries or unpacks to more than ${MAX_ZIP_TOTAL_BYTES / 1024 / 1024} MB: refused as a whole.` });
    return;
  }
  for (const [raw, data] of Object.entries(files)) decode(chosen.get(raw) ?? raw, data, out, refused);
}

/** Uploaded files (scripts or zips) and a pasted script → the scripts to convert and what was refused, with why. */
export function collectScripts(uploads: { name: string; bytes: Uint8Array }[], pasted?: { name: string; text: string }): { scripts: ScriptInput[]; refused: Refusal[] } {
  const scripts: ScriptInput[] = [];
  const refused: Refusal[] = [];
  if (pasted) scripts.push({ name: pasted.name, text: pasted.text, encoding: "utf-8" });
  for (const u of uploads) {
    if (isZip(u.name, u.bytes)) {
      unzip(shown(u.name), u.bytes, scripts, refused);
      continue;
    }
    const checked = checkName(u.name.split(/[\\/]/).pop() ?? "");
    if ("reason" in checked) refused.push({ name: shown(u.name), reason: checked.reason });
    else decode(checked.name, u.bytes, scripts, refused);
  }
  if (scripts.length > MAX_SCRIPTS) {
    refused.push(...scripts.splice(MAX_SCRIPTS).map((s) => ({ name: s.name, reason: `Only ${MAX_SCRIPTS} scripts are taken per upload: upload it again.` })));
  }
  const encoder = new TextEncoder();
  return {
    scripts: scripts.filter((s) => {
      if (encoder.encode(s.text).length <= MAX_SCRIPT_BYTES) return true;
      refused.push({ name: s.name, reason: `It is larger than ${MAX_SCRIPT_BYTES / 1024 / 1024} MB.` });
      return false;
    }),
    refused,
  };
}
