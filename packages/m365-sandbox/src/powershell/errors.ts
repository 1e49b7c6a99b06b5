/**
 * Errors in PowerShell's shape. The transcript uses Windows PowerShell 5.1's NormalView
 * ("<command> : <message>", "At line:N char:C", the offending line underlined, CategoryInfo and
 * FullyQualifiedErrorId), which is what most admins' consoles print. Wording follows PowerShell's own
 * resources for binding errors; cmdlet errors from Graph and Exchange use the services' messages
 * where known, otherwise the sandbox's own wording (say so at the call site).
 */
export interface ErrorInfo {
  category: string;
  exceptionType: string;
  errorId: string;
  /** "(target:String)" in CategoryInfo. */
  target?: string;
  /** Where the underline goes, relative to the statement; defaults to the command name. */
  span?: { start: number; length: number };
}

export class PSError extends Error {
  constructor(message: string, readonly info: ErrorInfo) {
    super(message);
  }
}

/** The script stopped (a terminating error under -ErrorAction Stop, or a parse error). */
export class PSStop extends Error {}

export function notRecognized(name: string): PSError {
  return new PSError(
    `The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    { category: "ObjectNotFound", exceptionType: "CommandNotFoundException", errorId: "CommandNotFoundException", target: `${name}:String` },
  );
}

export const bindingError = (message: string, errorId: string, span?: ErrorInfo["span"]): PSError =>
  new PSError(message, { category: "InvalidArgument", exceptionType: "ParameterBindingException", errorId, ...(span ? { span } : {}) });

export const notSupported = (what: string, span?: ErrorInfo["span"]): PSError =>
  new PSError(`The sandbox runner does not execute ${what}; it runs the statements the portal's generators emit.`, {
    category: "NotImplemented",
    exceptionType: "NotSupportedException",
    errorId: "SandboxRunnerNotSupported",
    ...(span ? { span } : {}),
  });

/** Formats one error record as the console shows it. `column` and `lineText` locate the statement. */
export function formatError(command: string | null, e: PSError, line: number, column: number, lineText: string): string {
  const start = column + (e.info.span?.start ?? 0);
  const length = Math.max(1, e.info.span?.length ?? (command?.length ?? lineText.trim().length));
  const known = e.info.exceptionType !== "CommandNotFoundException";
  return [
    command ? `${command} : ${e.message}` : e.message,
    `At line:${line} char:${start + 1}`,
    `+ ${lineText}`,
    `+ ${" ".repeat(start)}${"~".repeat(length)}`,
    `    + CategoryInfo          : ${e.info.category}: (${e.info.target ?? ":"}) [${known && command ? command : ""}], ${e.info.exceptionType}`,
    `    + FullyQualifiedErrorId : ${e.info.errorId}${known && command ? `,${command}` : ""}`,
    "",
  ].join("\n");
}
