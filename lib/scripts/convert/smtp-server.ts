import "server-only";
import { core, literalValue, type Node } from "./parse";
import type { Problem } from "./problems";
import { literalAssignment, variableName } from "./splat";

/**
 * Exchange Online's client-submission hosts (SMTP AUTH), which Graph replaces one for one:
 * https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365
 * (smtp.office365.com; smtp-mail.outlook.com for Outlook.com; smtp.office365.us for GCC High).
 */
const CLIENT_SUBMISSION = new Set(["smtp.office365.com", "smtp-mail.outlook.com", "smtp.office365.us"]);
/** Direct send / SMTP relay go to the tenant's MX endpoint, <domain>.mail.protection.outlook.com (same page). */
const DIRECT_SEND = /\.mail\.protection\.outlook\.(com|us)$/i;

const lineOf = (n: Node) => n.startPosition.row + 1;

/**
 * What -SmtpServer (or $PSEmailServer) tells about a call once it goes through Graph: nothing for Exchange
 * Online's submission host; a note for direct send and for an on-premises relay (which may add disclaimers,
 * journaling or internal-only routing the Graph path will not); a note when the host cannot be read.
 */
export function smtpServerProblem(root: Node, value: Node | null, before: number, psEmailServer?: { value: string; line: number }): Problem | null {
  let host: string | null = psEmailServer?.value ?? null;
  let where = psEmailServer ? `$PSEmailServer (set on line ${psEmailServer.line})` : "-SmtpServer";
  let line = psEmailServer?.line ?? 0;
  if (value) {
    line = lineOf(value);
    host = literalValue(value);
    const c = core(value);
    if (host === null && c.type === "variable") {
      const v = literalAssignment(root, variableName(c.text), before);
      if (v) {
        host = v.value;
        where = `-SmtpServer ${c.text} (set on line ${v.line})`;
      }
    }
    if (host === null) {
      return {
        line,
        kind: "smtp-server-unknown",
        blocking: false,
        message: `-SmtpServer ${value.text.slice(0, 60)} cannot be read from the script: if it is an on-premises relay, check what the relay did for these messages (disclaimers, journaling, routing), which Graph will not do.`,
      };
    }
  }
  if (host === null) return null;
  const h = host.trim().toLowerCase();
  if (CLIENT_SUBMISSION.has(h)) return null;
  if (DIRECT_SEND.test(h)) {
    return {
      line,
      kind: "direct-send",
      blocking: false,
      message: `${where} is ${host}, Exchange Online direct send: it delivered to your own domains only, without signing in. Through Graph the From mailbox must be one the key or app may send as, and outside recipients are delivered too.`,
    };
  }
  return {
    line,
    kind: psEmailServer ? "ps-email-server" : "on-premises-relay",
    blocking: false,
    message: `${where} is ${host}, not Exchange Online (smtp.office365.com): an on-premises relay. Through Graph the message goes straight to Microsoft 365; check what the relay did for it (disclaimers, journaling, internal-only routing, a From address that is not a mailbox).`,
  };
}
