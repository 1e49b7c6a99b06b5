import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { assertMayReadDevices } from "./access";
import { weaknesses, type Weakness } from "./weakness";

export interface DeviceSummary {
  id: string;
  name: string;
  username: string;
  tenantId: string;
  tenantName: string;
  mailboxes: string[];
  ipOnly: boolean;
  allowPlaintext: boolean;
  allowedIps: string[];
  lastSeenAt: Date | null;
  lastSeenIp: string | null;
  lastTlsVersion: string | null;
  lastAuthMethod: string | null;
  messageCount: number;
  refusedCount: number;
  createdAt: Date;
  revokedAt: Date | null;
  weaknesses: Weakness[];
}

export const DEVICE_SUMMARY_SELECT = {
  id: true, name: true, username: true, tenantId: true, ipOnly: true, allowPlaintext: true, allowedIps: true, lastSeenAt: true, lastSeenIp: true,
  lastTlsVersion: true, lastAuthMethod: true, messageCount: true, refusedCount: true, createdAt: true, revokedAt: true,
  tenant: { select: { name: true } },
  grants: { select: { mailbox: { select: { address: true } } } },
} as const;

type SummaryRow = Omit<DeviceSummary, "tenantName" | "mailboxes" | "weaknesses"> & { tenant: { name: string }; grants: { mailbox: { address: string } }[] };

export function toSummary({ tenant, grants, ...d }: SummaryRow): DeviceSummary {
  return { ...d, tenantName: tenant.name, mailboxes: grants.map((g) => g.mailbox.address).sort(), weaknesses: weaknesses(d) };
}

/** Every SMTP device (admins and auditors), active first, newest first. Never a password hash. */
export async function listDevices(actor: SessionUser): Promise<DeviceSummary[]> {
  assertMayReadDevices(actor);
  const rows = await db().device.findMany({ orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }], take: 500, select: DEVICE_SUMMARY_SELECT });
  return rows.map(toSummary);
}
