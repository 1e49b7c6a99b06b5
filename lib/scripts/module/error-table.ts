import { EXPLAINED_AADSTS, EXPLAINED_GRAPH_CODES, explainError, type Explanation } from "@/lib/graph/explain";
import { psQuote } from "@/lib/powershell/quote";

/**
 * The PowerShell module's error table, generated from the portal's own explanations (lib/graph/explain.ts),
 * so a script that fails tells the admin the same thing the portal would: one source, two languages.
 * Entries are keyed as the module looks them up (Resolve-GraphMailExplanation in the .psm1): "AADSTS<n>"
 * from Entra ID's error_codes, a Graph error `code`, a code refined by its message where explainError reads
 * the message too, and "HTTP<status>" for answers without a Graph envelope.
 */
export const SENDER_MARK = "{{sender}}";

export interface ErrorEntry extends Explanation {
  key: string;
}

export function errorEntries(): ErrorEntry[] {
  const sender = SENDER_MARK;
  const entries: ErrorEntry[] = [];
  for (const n of EXPLAINED_AADSTS) entries.push({ key: `AADSTS${n}`, ...explainError({ aadsts: n, sender }) });
  for (const code of EXPLAINED_GRAPH_CODES) {
    // BadRequest alone is generic: only its "Maximum request length" form has words of its own (below).
    if (code === "BadRequest") continue;
    entries.push({ key: code, ...explainError({ graphCode: code, sender }) });
  }
  entries.push({ key: "BadRequest:MaximumRequestLength", ...explainError({ graphCode: "BadRequest", message: "Maximum request length exceeded.", sender }) });
  entries.push({ key: "ErrorAccessDenied:Restricted", ...explainError({ graphCode: "ErrorAccessDenied", message: "Access to OData is disabled.", sender }) });
  for (const status of [502, 503, 504]) entries.push({ key: `HTTP${status}`, ...explainError({ httpStatus: status, sender }) });
  return entries;
}

/** The table as a PowerShell hashtable literal, every key and text a quoted literal. */
export function errorTablePowerShell(indent = "    "): string {
  const lines = errorEntries().map(
    (e) =>
      `${indent}${psQuote(e.key)} = @{ Title = ${psQuote(e.title)}; Detail = ${psQuote(e.detail)}; Action = ${psQuote(e.action)}; Transient = $${e.transient ? "true" : "false"} }`,
  );
  return `@{\n${lines.join("\n")}\n}`;
}
