import "server-only";
import { AppError } from "../errors";

/**
 * The relay's answers to devices: an Error carrying the SMTP reply code, which smtp-server sends as
 * `<code> <text>` (its `responseCode`). The enhanced status code (RFC 3463) leads the text. What each
 * means for a device is in README "Connect a printer or an app that only speaks SMTP":
 *  - 5xx only for a permanent refusal by the portal's own rules (sender not granted 550 5.7.1, too large
 *    552 5.3.4, bad address 553 5.1.3, bad credentials 535 5.7.8): sending again will not help;
 *  - 4xx when the portal cannot take the message now (database down 451 4.3.0, over the device's rate
 *    451 4.7.1, too many failed AUTH attempts 454 4.7.0, storage 452 4.3.1): the device tries again later.
 * Throttling and outages at Microsoft never reach the device: once it has its 250, the message is
 * durably queued and the outbox retries it.
 */
export class SmtpReply extends Error {
  readonly responseCode: number;
  constructor(code: number, enhanced: string, text: string) {
    // One line: a CR or LF from a message or an address must never start a reply line of its own.
    super(`${enhanced} ${text}`.replace(/[\r\n]+/g, " "));
    this.name = "SmtpReply";
    this.responseCode = code;
  }
}

export const reply = (code: number, enhanced: string, text: string) => new SmtpReply(code, enhanced, text);

/** "Try again in 42 seconds." */
export const retryHint = (ms: number) => {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return s < 120 ? `try again in ${s} second${s === 1 ? "" : "s"}` : `try again in ${Math.ceil(s / 60)} minutes`;
};

export const databaseDown = () =>
  reply(451, "4.3.0", "The portal cannot queue messages right now (its database is unavailable); nothing was queued, try again in a few minutes");

/**
 * What a failure of queueing (lib/sends/queue-send.ts) or of storing the message means for the device.
 * Anything that is not one of the portal's own answers (a database or disk failure) is temporary: 451,
 * and the device sends again; nothing was queued, since 250 is only said after the commit.
 */
export function replyFor(err: unknown): SmtpReply {
  if (err instanceof SmtpReply) return err;
  if (!(err instanceof AppError)) return databaseDown();
  const text = err.userMessage;
  switch (err.code) {
    case "NOT_GRANTED":
    case "MAILBOX_NOT_LISTED":
    case "DEVICE_INACTIVE":
    case "DEVICE_OTHER_TENANT":
      return reply(550, "5.7.1", text);
    case "MESSAGE_TOO_LARGE":
    case "UPLOAD_TOO_LARGE":
      return reply(552, "5.3.4", text);
    case "UPLOAD_DISK_FULL":
    case "UPLOAD_QUOTA_BYTES":
    case "UPLOAD_QUOTA_FILES":
    case "UPLOAD_TOO_MANY_AT_ONCE":
      return reply(452, "4.3.1", `${text.replace(/ Send the message.*$/, "")} Try again later.`);
    case "UPLOAD_EMPTY":
      return reply(550, "5.6.0", "The message is empty");
    case "VALIDATION_FAILED": {
      const fields = Object.entries(err.fields ?? {}).map(([k, v]) => `${k}: ${v}`);
      return reply(550, "5.6.0", `The message cannot be queued: ${fields.join("; ") || text}`);
    }
    default:
      // Tenant setup (no app registration, application sending off) and the like: an admin fixes it; the device retries meanwhile.
      return err.status >= 500 ? databaseDown() : reply(451, "4.7.0", `The portal cannot send this now: ${text}`);
  }
}
