import "server-only";
import type { SessionUser } from "../auth/session";
import { db } from "../db";
import { portalNow } from "./clock";
import { daysLeft, expiryState, type ExpiryState } from "./expiry";
import { requireCredentialReader } from "./require-role";

export interface CredentialRow {
  /** "tenant" (the credential sends use), "tenant-next" (a rotation's new one), "api-key", "device". */
  type: "tenant" | "tenant-next" | "api-key" | "device";
  id: string;
  /** The key of this credential and expiry in CredentialWarning (one warning per threshold). */
  subjectKey: string;
  name: string;
  tenantId: string;
  tenantName: string;
  kind: string;
  expiresAt: Date | null;
  daysLeft: number | null;
  state: ExpiryState;
  /** Where to act on it. */
  href: string;
}

/**
 * Every credential the portal depends on or hands out, soonest expiry first: each tenant's app credential
 * (and a rotation's new one), API keys and SMTP device passwords that are not revoked. Days left are
 * counted on the portal's clock (lib/credentials/clock.ts). Admins and auditors.
 */
export async function listCredentials(actor: SessionUser): Promise<{ now: Date; rows: CredentialRow[] }> {
  requireCredentialReader(actor);
  const now = await portalNow();
  return { now, rows: await credentialRows(now) };
}

/** The rows without a caller: for the warnings job (lib/credentials/run-warnings.ts), which is the system itself. */
export async function credentialRows(now: Date): Promise<CredentialRow[]> {
  const [tenants, keys, devices] = await Promise.all([
    db().tenant.findMany({ where: { credentialKind: { not: "none" } }, select: { id: true, name: true, credentialKind: true, credentialExpires: true, rotationCredentials: { where: { slot: "next" }, select: { id: true, kind: true, expiresAt: true } } } }),
    db().apiKey.findMany({ where: { revokedAt: null }, select: { id: true, name: true, expiresAt: true, tenant: { select: { id: true, name: true } } } }),
    db().device.findMany({ where: { revokedAt: null, passwordHash: { not: null } }, select: { id: true, name: true, passwordExpiresAt: true, tenant: { select: { id: true, name: true } } } }),
  ]);
  const row = (r: Omit<CredentialRow, "daysLeft" | "state" | "subjectKey">, subject: string): CredentialRow => ({
    ...r, subjectKey: `${subject}:${r.id}:${r.expiresAt?.toISOString() ?? "never"}`, daysLeft: daysLeft(r.expiresAt, now), state: expiryState(r.expiresAt, now),
  });
  const rows: CredentialRow[] = [
    ...tenants.flatMap((t) => [
      row({ type: "tenant", id: t.id, name: `App ${t.credentialKind}`, tenantId: t.id, tenantName: t.name, kind: t.credentialKind, expiresAt: t.credentialExpires, href: `/settings/credentials/${t.id}` }, "tenant"),
      ...t.rotationCredentials.map((n) => row({ type: "tenant-next", id: n.id, name: `New app ${n.kind} (rotation)`, tenantId: t.id, tenantName: t.name, kind: n.kind, expiresAt: n.expiresAt, href: `/settings/credentials/${t.id}` }, "tenant-next")),
    ]),
    ...keys.map((k) => row({ type: "api-key", id: k.id, name: `API key "${k.name}"`, tenantId: k.tenant.id, tenantName: k.tenant.name, kind: "api key", expiresAt: k.expiresAt, href: "/keys" }, "api-key")),
    ...devices.map((d) => row({ type: "device", id: d.id, name: `Device "${d.name}"`, tenantId: d.tenant.id, tenantName: d.tenant.name, kind: "device password", expiresAt: d.passwordExpiresAt, href: `/devices/${d.id}` }, "device")),
  ];
  rows.sort((a, b) => (a.expiresAt?.getTime() ?? Infinity) - (b.expiresAt?.getTime() ?? Infinity) || a.name.localeCompare(b.name));
  return rows;
}
