import "server-only";
import { recordAudit } from "../audit/record";
import { db } from "../db";
import { AppError } from "../errors";
import { queueSend } from "../sends/queue-send";
import { portalNow } from "./clock";
import { describeDays, reachedThreshold } from "./expiry";
import { jobLockKey, runAlone } from "../jobs/single-runner";
import { credentialRows, type CredentialRow } from "./list-credentials";

/** The job's name for lib/jobs/single-runner.ts: one runner at a time across every portal instance. */
export const WARNINGS_JOB = "credential-warnings";
/** Its PostgreSQL advisory lock key (tests hold it to play another instance). */
export const WARNINGS_LOCK_KEY = jobLockKey(WARNINGS_JOB);

export interface WarningsResult {
  /** false: another instance holds the lock, this run did nothing. */
  ran: boolean;
  mailed: { subjectKey: string; threshold: number; sendId: string }[];
  /** Warnings due but not mailed (no sender configured, or the configured admin may no longer send). */
  unsent: { subjectKey: string; threshold: number; reason: string }[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * One run of the expiry warnings: for every credential that reached a threshold (30, 14, 7, 1 days;
 * lib/credentials/expiry.ts) and was not mailed for it yet, one message to every active admin, queued
 * through lib/sends/queue-send.ts as an application send of the admin who chose the mailbox
 * (CredentialAlertSetting) — so it is in History with a principal, and audited. Only the smallest
 * threshold reached is mailed (a credential found at 6 days gets the 7-day mail, not four at once).
 *
 * Exactly one runner cluster-wide: the run holds the job's advisory lock (runAlone) for its duration, and
 * a second instance that cannot take it skips. A warning is claimed (a CredentialWarning row, unique per
 * credential + expiry + threshold) before it is queued and released if queueing fails, so it is mailed
 * once, across restarts; a rotated credential (new expiry) gets its own warnings.
 */
export async function runCredentialWarnings(): Promise<WarningsResult> {
  return (await runAlone(WARNINGS_JOB, warnOnce)) ?? { ran: false, mailed: [], unsent: [] };
}

async function warnOnce(): Promise<WarningsResult> {
  const result: WarningsResult = { ran: true, mailed: [], unsent: [] };
  const now = await portalNow();
  // The job is the system itself, not a person: it reads every credential (no role applies).
  const rows = await credentialRows(now);
  const due = rows.map((r) => ({ r, threshold: reachedThreshold(r.expiresAt, now) })).filter((x): x is { r: CredentialRow; threshold: number } => x.threshold !== null);
  if (due.length === 0) return result;
  const setting = await db().credentialAlertSetting.findUnique({ where: { id: "default" } });
  const sender = setting ? await db().user.findUnique({ where: { id: setting.configuredById }, select: { id: true, name: true, email: true, role: true, tenantId: true, disabled: true } }) : null;
  const admins = await db().user.findMany({ where: { role: "admin", disabled: false }, select: { email: true }, orderBy: { createdAt: "asc" } });
  for (const { r, threshold } of due) {
    const already = await db().credentialWarning.findUnique({ where: { subjectKey_threshold: { subjectKey: r.subjectKey, threshold } } });
    if (already) continue;
    if (!setting || !sender || sender.disabled) {
      result.unsent.push({ subjectKey: r.subjectKey, threshold, reason: "no warning mailbox is configured" });
      continue;
    }
    // Claim first (unique): a second runner, or this one after a restart, never mails it again.
    const claim = await db().credentialWarning.create({ data: { subjectKey: r.subjectKey, threshold } }).catch(() => null);
    if (!claim) continue;
    const when = describeDays(r.daysLeft);
    try {
      const { id } = await queueSend(
        {
          actor: { id: sender.id, name: sender.name, email: sender.email, role: sender.role, tenantId: sender.tenantId },
          tenantId: setting.tenantId,
          mode: "app",
          from: setting.fromAddress,
          to: admins.map((a) => a.email).join(", "),
          subject: `Credential expiry: ${r.name} of ${r.tenantName} — ${when}`,
          bodyType: "html",
          body: [
            `<p>${esc(r.name)} of tenant <strong>${esc(r.tenantName)}</strong> ${r.expiresAt ? `expires on ${esc(r.expiresAt.toISOString().slice(0, 10))}` : ""} (${esc(when)}).</p>`,
            `<p>When it expires, every send that depends on it fails${r.type.startsWith("tenant") ? " (Entra ID answers AADSTS7000222 for an expired client secret)" : ""}. Rotate it in the portal: Settings → Credentials.</p>`,
            `<p>This is the ${threshold}-day warning; each of 30, 14, 7 and 1 days is mailed once.</p>`,
          ].join("\n"),
        },
        { origin: "credential-warning" },
      );
      await db().credentialWarning.update({ where: { id: claim.id }, data: { sendId: id } });
      await recordAudit({ actor: { id: sender.id, name: sender.name }, action: "credential.warning-queued", target: r.subjectKey, tenantId: r.tenantId, after: { threshold, sendId: id, credential: r.name, daysLeft: r.daysLeft } });
      result.mailed.push({ subjectKey: r.subjectKey, threshold, sendId: id });
    } catch (err) {
      await db().credentialWarning.delete({ where: { id: claim.id } });
      const reason = err instanceof AppError ? err.userMessage : "the warning could not be queued";
      await recordAudit({ actor: { id: sender.id, name: sender.name }, action: "credential.warning-refused", target: r.subjectKey, tenantId: r.tenantId, after: { threshold, reason } });
      result.unsent.push({ subjectKey: r.subjectKey, threshold, reason });
    }
  }
  return result;
}
