import "server-only";
import { literalValue, walk, type Node } from "./parse";
import type { Problem } from "./problems";

const lineOf = (n: Node) => n.startPosition.row + 1;
const SMTP_CLIENT = /\b(?:System\.)?Net\.Mail\.SmtpClient\b/i;
/** A Send-MailMessage call written inside a string: Invoke-Expression, powershell.exe -Command, a scheduled task's arguments. */
const CALL_IN_STRING = /send-mailmessage\s+[-@$'"]/i;

/** What the file does outside Send-MailMessage calls that the converter cannot carry over: reported, left as it is. */
export function scanFile(root: Node): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<number>();
  const once = (n: Node, p: Omit<Problem, "line">) => {
    const line = lineOf(n);
    if (seen.has(line * 100 + p.kind.length)) return;
    seen.add(line * 100 + p.kind.length);
    out.push({ line, ...p });
  };
  for (const n of walk(root)) {
    if (n.type === "comment") continue;
    if ((n.type === "type_literal" || n.type === "generic_token" || n.type === "string_literal") && SMTP_CLIENT.test(n.text)) {
      once(n, {
        kind: "smtp-client",
        blocking: true,
        message:
          "System.Net.Mail.SmtpClient sends through SMTP directly: not converted. Build the message with Send-GraphMailMessage (-To, -Subject, -Body, -Attachments) instead of MailMessage/SmtpClient.",
      });
    } else if (n.type === "string_literal" && CALL_IN_STRING.test(n.text)) {
      once(n, {
        kind: "call-in-string",
        blocking: true,
        message: "A Send-MailMessage call inside a string (run later by Invoke-Expression, powershell.exe -Command or a task) is not converted: write it as a command, or change the string by hand.",
      });
    } else if (n.type === "string_literal" && /^send-mailmessage:/i.test(literalValue(n) ?? "")) {
      once(n, {
        kind: "default-parameter-values",
        blocking: false,
        message: `$PSDefaultParameterValues sets ${literalValue(n)} for Send-MailMessage: it does not apply to Send-GraphMailMessage. Add the same default for 'Send-GraphMailMessage:…' if the calls rely on it.`,
      });
    }
  }
  return out;
}
