import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { convertScript } from "../convert/convert";
import type { ScriptEncoding } from "../convert/encoding";
import { encodeScript, EncodingError } from "../convert/encoding";
import { MAX_SCRIPT_BYTES } from "../convert/input";
import type { Problem } from "../convert/problems";

/** The columns a conversion writes: the converted text (or null) and what was found. */
export async function conversionColumns(original: string, encoding: ScriptEncoding, modulePath: string) {
  const r = await convertScript(original, { modulePath });
  const problems: Problem[] = [...r.problems];
  let converted = r.converted;
  if (converted !== null) {
    try {
      // The download writes the file back in its own encoding: refuse now what could not be written then.
      if (encodeScript(converted, encoding).length > MAX_SCRIPT_BYTES * 2) throw new EncodingError("The converted file is too large.");
    } catch (e) {
      if (!(e instanceof EncodingError)) throw e;
      problems.push({ line: 0, kind: "encoding", blocking: true, message: `The converted file cannot be written as ${encoding}: ${e.message}` });
      converted = null;
    }
  }
  return {
    converted,
    modulePath,
    callsFound: r.callsFound,
    convertedCount: converted === null ? 0 : r.convertedCount,
    attentionCount: problems.length,
    problems: problems as unknown as Prisma.InputJsonValue,
    convertedAt: new Date(),
  };
}
