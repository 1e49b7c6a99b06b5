/**
 * Send-MailMessage's parameters, as Microsoft documents them
 * (https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/send-mailmessage, 5.1 and 7.x),
 * and how PowerShell resolves a name written in a script: the exact name or an alias, else a unique prefix
 * of the names (about_Parameters: "you can abbreviate a parameter name as long as it stays unique";
 * common parameters count too, https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_commonparameters).
 * Send-MailMessage has no command alias of its own (Get-Alias -Definition Send-MailMessage is empty).
 *
 * Send-GraphMailMessage takes the same parameters, with the same positions, but adds its own (the
 * transport's): an abbreviation that is unique today may not be against it, so the converter writes every
 * abbreviated or aliased name out in full.
 */
export interface ParamSpec {
  name: string;
  aliases: readonly string[];
  switch?: true;
  /** Carries what the message says (compared before and after conversion). */
  content?: true;
  /** SMTP-only: accepted and ignored by Send-GraphMailMessage, with one warning. */
  smtpOnly?: true;
  common?: true;
}

export const SEND_MAIL_PARAMS: readonly ParamSpec[] = [
  { name: "Attachments", aliases: ["PsPath"], content: true },
  { name: "Bcc", aliases: [], content: true },
  { name: "Body", aliases: [], content: true },
  { name: "BodyAsHtml", aliases: ["BAH"], switch: true, content: true },
  { name: "Cc", aliases: [], content: true },
  { name: "Credential", aliases: [], smtpOnly: true },
  { name: "DeliveryNotificationOption", aliases: ["DNO"] },
  { name: "Encoding", aliases: ["BE"] },
  { name: "From", aliases: [], content: true },
  { name: "Port", aliases: [], smtpOnly: true },
  { name: "Priority", aliases: [], content: true },
  { name: "ReplyTo", aliases: [], content: true },
  { name: "SmtpServer", aliases: ["ComputerName"], smtpOnly: true },
  { name: "Subject", aliases: ["sub"], content: true },
  { name: "To", aliases: [], content: true },
  { name: "UseSsl", aliases: [], switch: true, smtpOnly: true },
  // Common parameters (Send-MailMessage is a cmdlet; Send-GraphMailMessage an advanced function: both take them).
  { name: "Debug", aliases: ["db"], switch: true, common: true },
  { name: "ErrorAction", aliases: ["ea"], common: true },
  { name: "ErrorVariable", aliases: ["ev"], common: true },
  { name: "InformationAction", aliases: ["infa"], common: true },
  { name: "InformationVariable", aliases: ["iv"], common: true },
  { name: "OutBuffer", aliases: ["ob"], common: true },
  { name: "OutVariable", aliases: ["ov"], common: true },
  { name: "PipelineVariable", aliases: ["pv"], common: true },
  { name: "Verbose", aliases: ["vb"], switch: true, common: true },
  { name: "WarningAction", aliases: ["wa"], common: true },
  { name: "WarningVariable", aliases: ["wv"], common: true },
];

/** Positional binding of Send-MailMessage (Windows PowerShell 5.1): To, Subject, Body, SmtpServer. */
export const POSITIONAL = ["To", "Subject", "Body", "SmtpServer"] as const;

export type Resolved =
  | { kind: "ok"; spec: ParamSpec; exact: boolean }
  | { kind: "ambiguous"; candidates: string[] }
  | { kind: "unknown" };

/** How PowerShell binds `-<written>`: exact name or alias first, then a unique prefix of the names. */
export function resolveParameter(written: string): Resolved {
  const w = written.toLowerCase();
  for (const p of SEND_MAIL_PARAMS) {
    if (p.name.toLowerCase() === w) return { kind: "ok", spec: p, exact: true };
    if (p.aliases.some((a) => a.toLowerCase() === w)) return { kind: "ok", spec: p, exact: false };
  }
  const matches = SEND_MAIL_PARAMS.filter((p) => p.name.toLowerCase().startsWith(w));
  if (matches.length === 1) return { kind: "ok", spec: matches[0]!, exact: false };
  if (matches.length > 1 && w.length > 0) return { kind: "ambiguous", candidates: matches.map((m) => m.name) };
  return { kind: "unknown" };
}

export function spec(name: string): ParamSpec {
  return SEND_MAIL_PARAMS.find((p) => p.name === name)!;
}
