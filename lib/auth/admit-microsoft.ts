import "server-only";
import type { Role } from "@/generated/prisma/enums";
import { db } from "../db";
import { recordAudit } from "../audit/record";
import { readWizardData } from "../tenants/wizard/wizard-data";
import { isGuid } from "../schemas/common";

/**
 * Who a Microsoft sign-in is, and whether they may come in. Identity is the token's (tid, oid) and
 * nothing else: an email address never links a Microsoft sign-in to an account (whoever can set a
 * directory user's `mail` attribute could otherwise become any portal account, a local admin included).
 *
 *   1. tid must be the directory of the tenant the person chose, else refused;
 *   2. a portal user with this (tid, oid) signs in;
 *   3. else an open invitation of the tenant for the token's address is bound to (tid, oid);
 *   4. else the tenant's admission mode decides: automatic (a user with its role), approval (a pending
 *      request and the waiting page) or invitation (refused).
 */
export interface MicrosoftSignIn {
  tenantId: string;
  tid: string;
  oid: string;
  name?: string | null;
  /** The id token's email and preferred_username claims: used only to match an invitation. */
  email?: string | null;
  preferredUsername?: string | null;
}

export type Admission = { ok: true; userId: string } | { ok: false; redirect: string };


/** The tenant's directory id as a GUID: its own, or the `tid` the wizard's verify step read from an app token. */
export function directoryGuid(t: { directoryId: string; wizardData: unknown }): string | null {
  if (isGuid(t.directoryId)) return t.directoryId.toLowerCase();
  const verified = readWizardData(t.wizardData).verify?.tid;
  return typeof verified === "string" && isGuid(verified) ? verified.toLowerCase() : null;
}

const refused = (error: string): Admission => ({ ok: false, redirect: `/sign-in?error=${error}` });

export async function admitMicrosoftSignIn(s: MicrosoftSignIn): Promise<Admission> {
  const tid = s.tid.toLowerCase();
  const oid = s.oid.toLowerCase();
  const who = { tid, oid, email: s.email ?? s.preferredUsername ?? null };
  const tenant = await db().tenant.findUnique({
    where: { id: s.tenantId },
    select: { id: true, name: true, directoryId: true, wizardData: true, admission: true, admissionRole: true },
  });
  if (!tenant) return refused("AccessDenied");
  const expected = directoryGuid(tenant);
  if (!expected || expected !== tid) {
    await recordAudit({ actor: null, action: "auth.sign-in-refused", target: who.email ?? oid, tenantId: tenant.id, after: { reason: expected ? "token from another directory" : "tenant directory id not verified", ...who } });
    return refused(expected ? "WrongDirectory" : "DirectoryUnverified");
  }

  const existing = await db().user.findUnique({ where: { entraTid_entraObjectId: { entraTid: tid, entraObjectId: oid } }, select: { id: true, disabled: true, email: true, passwordHash: true } });
  if (existing) {
    if (existing.disabled) {
      await recordAudit({ actor: { id: existing.id, name: s.name }, action: "auth.sign-in-refused", target: existing.email, tenantId: tenant.id, after: { reason: "account disabled", via: "microsoft" } });
      return refused("AccountDisabled");
    }
    // The directory's display name follows Microsoft-only accounts; a linked local account keeps its own.
    await db().user.update({ where: { id: existing.id }, data: { ...(existing.passwordHash ? {} : { name: s.name ?? undefined }), lastSignInAt: new Date() } });
    await recordAudit({ actor: { id: existing.id, name: s.name }, action: "auth.signed-in", target: existing.email, tenantId: tenant.id, after: { via: "microsoft" } });
    return { ok: true, userId: existing.id };
  }

  const addresses = [...new Set([s.email, s.preferredUsername].filter((a): a is string => !!a).map((a) => a.toLowerCase()))];
  const email = addresses[0] ?? `${oid}@${tid}`;
  const create = (role: Role) => ({ email, name: s.name, role, tenantId: tenant.id, entraTid: tid, entraObjectId: oid, lastSignInAt: new Date() });

  // An invitation works in every admission mode: the admin already decided.
  const invited = await db().$transaction(async (tx) => {
    const inv = addresses.length
      ? await tx.invitation.findFirst({ where: { tenantId: tenant.id, email: { in: addresses }, revokedAt: null, acceptedAt: null, expiresAt: { gt: new Date() } }, orderBy: { createdAt: "desc" } })
      : null;
    if (!inv) return null;
    // Bound once: a second sign-in racing for the same invitation finds it accepted.
    const taken = await tx.invitation.updateMany({ where: { id: inv.id, acceptedAt: null }, data: { acceptedAt: new Date() } });
    if (taken.count !== 1) return null;
    const user = await tx.user.create({ data: create(inv.role), select: { id: true } });
    await tx.invitation.update({ where: { id: inv.id }, data: { userId: user.id } });
    await recordAudit({ actor: { id: user.id, name: s.name }, action: "invitation.accepted", target: email, tenantId: tenant.id, after: { role: inv.role, tid, oid } }, tx);
    return user;
  });
  if (invited) return { ok: true, userId: invited.id };

  if (tenant.admission === "automatic") {
    const user = await db().user.create({ data: create(tenant.admissionRole), select: { id: true } });
    await recordAudit({ actor: { id: user.id, name: s.name }, action: "user.admitted", target: email, tenantId: tenant.id, after: { role: tenant.admissionRole, via: "automatic admission", tid, oid } });
    return { ok: true, userId: user.id };
  }

  if (tenant.admission === "approval") {
    const key = { tenantId_entraTid_entraObjectId: { tenantId: tenant.id, entraTid: tid, entraObjectId: oid } };
    const before = await db().accessRequest.findUnique({ where: key, select: { status: true } });
    const req = await db().accessRequest.upsert({
      where: key,
      create: { tenantId: tenant.id, entraTid: tid, entraObjectId: oid, email, name: s.name },
      update: { email, name: s.name, lastTriedAt: new Date() },
      select: { status: true },
    });
    if (!before) await recordAudit({ actor: null, action: "access.requested", target: email, tenantId: tenant.id, after: { name: s.name ?? null, tid, oid } });
    if (req.status === "rejected") return refused("RequestDeclined");
    // "approved" without a user: the user was removed since; ask again.
    if (req.status !== "pending") await db().accessRequest.update({ where: key, data: { status: "pending", decidedAt: null, decidedById: null } });
    return { ok: false, redirect: `/sign-in/waiting?tenant=${encodeURIComponent(tenant.id)}` };
  }

  await recordAudit({ actor: null, action: "auth.sign-in-refused", target: email, tenantId: tenant.id, after: { reason: "not invited", tid, oid } });
  return refused("NotInvited");
}
