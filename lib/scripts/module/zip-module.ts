import { strToU8, zipSync } from "fflate";
import type { BuiltModule, ModuleFile } from "./build-module";

/**
 * The module's files as they are downloaded: UTF-8 with a byte order mark, because Windows PowerShell 5.1
 * reads a script file without one in the system's ANSI code page, which would garble a tenant name or an
 * explanation with non-ASCII characters (about_Character_Encoding:
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_character_encoding).
 */
export function fileBytes(f: ModuleFile): Uint8Array {
  return strToU8(`\uFEFF${f.content}`);
}

/** The module folder as a zip (GraphMail/…), ready to extract into a folder of $env:PSModulePath. */
export function zipModule(m: BuiltModule): Uint8Array {
  // A fixed date keeps the archive the same for the same files (DOS dates start in 1980).
  const mtime = new Date("2026-01-01T00:00:00Z");
  return zipSync(Object.fromEntries(m.files.map((f) => [f.path, [fileBytes(f), { mtime }]])), { level: 6 });
}
