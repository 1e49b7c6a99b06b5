import "server-only";
import type { Explanation } from "../graph/explain";
import { explainFailure } from "../sends/explain-failure";
import type { SendDetail } from "./find-send";

/** The plain-words explanation for a send on the history detail page (the same one compose shows). */
export function explainSend(s: SendDetail & { restriction?: string | null }): Explanation | null {
  return explainFailure({ ...s, restriction: s.restriction ?? null });
}
