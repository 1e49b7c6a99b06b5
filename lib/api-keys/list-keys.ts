import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

export interface ApiKeyView {
  id: string;
  name: string;
  displayPrefix: string;
  tenantId: string;
  tenantName: string;
  mailboxes: string[];
  allowedRecipientDomains: string[];
  maxMessageBytes: number | null;
  ratePerMinute: number;
  expiresAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  useCount: number;
  revokedAt: Date | null;
}

/** Every API key (admins and auditors), newest first, with the mailboxes granted to it. Never a secret or hash. */
export async function listApiKeys(actor: SessionUser): Promise<ApiKeyView[]> {
  if (actor.role !== "admin" && actor.role !== "auditor") throw forbidden("see API keys");
  const rows = await db().apiKey.findMany({
    orderBy: { createdAt: "desc" },
    take: 500,
    select: {
      id: true, name: true, displayPrefix: true, tenantId: true, allowedRecipientDomains: true, maxMessageBytes: true, ratePerMinute: true,
      expiresAt: true, createdAt: true, lastUsedAt: true, lastUsedIp: true, useCount: true, revokedAt: true,
      tenant: { select: { name: true } },
      grants: { select: { mailbox: { select: { address: true } } } },
    },
  });
  return rows.map(({ tenant, grants, ...k }) => ({ ...k, tenantName: tenant.name, mailboxes: grants.map((g) => g.mailbox.address).sort() }));
}
