import "server-only";
import { redactSecrets } from "./redact";
import type { AuditRow } from "./where";

/** One audit event as the page and the export show it: plain values, secrets redacted. */
export interface AuditEventView {
  id: string;
  /** ISO 8601, UTC. */
  at: string;
  /** The person's name (or email), or "system" for events no person caused (startup, retention purge). */
  actor: string;
  actorEmail: string | null;
  action: string;
  target: string | null;
  tenantId: string | null;
  tenantName: string | null;
  before: unknown;
  after: unknown;
}

export function auditView(r: AuditRow): AuditEventView {
  return {
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actorId ? (r.actorName ?? r.userName ?? r.userEmail ?? "(removed user)") : "system",
    actorEmail: r.userEmail,
    action: r.action,
    target: r.target === null ? null : (redactSecrets(r.target) as string),
    tenantId: r.tenantId,
    // An event can outlive its tenant: keep the id so the row still says which one.
    tenantName: r.tenantName ?? (r.tenantId ? `(removed tenant ${r.tenantId})` : null),
    // Redacted again on read: events written before redaction existed must not leak either.
    before: r.before === null ? null : redactSecrets(r.before),
    after: r.after === null ? null : redactSecrets(r.after),
  };
}
