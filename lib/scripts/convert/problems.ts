/**
 * What the converter tells the admin about a script: calls it left as they were (blocking) and calls it
 * converted that still need a decision (attention). Browser-safe: the inventory and the diff page show these.
 */
export type ProblemKind =
  | "credential"
  | "on-premises-relay"
  | "direct-send"
  | "smtp-server-unknown"
  | "ps-email-server"
  | "dynamic-parameter-name"
  | "splat-unresolved"
  | "splat-dynamic-key"
  | "unknown-parameter"
  | "ambiguous-parameter"
  | "missing-value"
  | "extra-positional"
  | "called-through-variable"
  | "call-in-string"
  | "smtp-client"
  | "default-parameter-values"
  | "does-not-parse"
  | "encoding";

export interface Problem {
  /** 1-based line in the original file (0: the whole file). */
  line: number;
  kind: ProblemKind;
  message: string;
  /** True when the call (or file) was left unconverted because of it. */
  blocking: boolean;
}
