import "server-only";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { loadTenantAccess } from "@/lib/graph/tenant-access";
import { appToken } from "@/lib/graph/tokens";
import { awaitSends } from "@/lib/outbox/await-sends";
import { queueSend } from "@/lib/sends/queue-send";
import { requireAdmin } from "./require-admin";
import { furthest, readWizardData, toJson } from "./wizard-data";

interface Outcome { address: string; httpStatus: number | null; code: string | null; message: string | null; sendId?: string; pending?: boolean }

const SUBJECT = "Graph Mail Portal: restriction test";
/** How many listed mailboxes the Prove step sends from (each one a test message to itself). */
const PROVE_INSIDE_MAX = 10;
const BODY = "A test message from the Graph Mail Portal setup wizard, proving which mailboxes the app may send as.";

/**
 * The test sends go through the one queueing path as an admin's test principal (the deliberate
 * exception to sender grants: the point is to see Exchange answer 403 outside the restriction), marked
 * `test` so History and the dashboard leave them out; the outbox sends them and logs each Graph call.
 */
async function testSends(actor: SessionUser, tenantId: string, addresses: string[]): Promise<Outcome[]> {
  const ids: string[] = [];
  for (const from of addresses) {
    const { id } = await queueSend({ actor, tenantId, mode: "app", from, to: from, subject: SUBJECT, bodyType: "text", body: BODY, saveToSent: false }, { test: true, origin: "wizard" });
    ids.push(id);
  }
  await awaitSends(ids);
  const sends = await db().send.findMany({
    where: { id: { in: ids } },
    select: { id: true, fromAddress: true, status: true, errorCode: true, errorMessage: true, attempts: { orderBy: { number: "desc" }, take: 1, select: { httpStatus: true, graphCode: true, message: true } } },
  });
  return ids.map((id) => {
    const s = sends.find((x) => x.id === id)!;
    const last = s.attempts[0];
    if (s.status === "accepted") return { address: s.fromAddress, httpStatus: 202, code: null, message: null, sendId: id };
    if (s.status !== "failed" && s.status !== "uncertain") return { address: s.fromAddress, httpStatus: null, code: null, message: "Still in the outbox: check again in a moment.", sendId: id, pending: true };
    return { address: s.fromAddress, httpStatus: last?.httpStatus ?? null, code: last?.graphCode ?? s.errorCode, message: last?.message ?? s.errorMessage, sendId: id };
  });
}

/**
 * A refusal of the outside mailbox that proves the restriction: any 403 ErrorAccessDenied. The access
 * policy's text ("Access to OData is disabled.", graph/auth-limit-mailbox-access) is documented; the RBAC
 * for Applications scope's is not (no published sample), so the code decides, never the message, which is
 * shown as Microsoft sent it.
 */
export function isRestrictionRefusal(o: { httpStatus: number | null; code: string | null } | null): boolean {
  return !!o && o.httpStatus === 403 && o.code === "ErrorAccessDenied";
}

/**
 * Step 7: send as an allowed mailbox (expect 202) and as one outside the restriction (expect 403
 * ErrorAccessDenied). When the outside send still succeeds, the restriction is not enforced yet
 * (propagation takes up to an hour or more, or the tenant-wide grant is still there): recorded,
 * re-checkable, never shown as a success.
 */
export async function proveRestriction(actor: SessionUser, tenantId: string) {
  requireAdmin(actor);
  const t = await db().tenant.findUnique({ where: { id: tenantId }, select: { name: true, wizardStep: true, wizardData: true } });
  if (!t) throw notFound("That tenant");
  const data = readWizardData(t.wizardData);
  const r = data.restriction;
  if (!r?.mailboxes[0]) throw new AppError("WIZARD_STEP_MISSING", { userMessage: "List the allowed mailboxes in the Restrict step first.", status: 409 });
  // A fresh token first: the test sends must use the tenant's grants as they are now, not a token cached
  // from before the tenant-wide grant was removed (Entra tokens stay valid for about an hour).
  await appToken(await loadTenantAccess(tenantId), { skipCache: true });
  // Every listed mailbox is tried (up to PROVE_INSIDE_MAX), so a mailbox added to the list but not to
  // Exchange's scope is caught; the one shown is the first that failed, else the first.
  const inside = r.mailboxes.slice(0, PROVE_INSIDE_MAX);
  const outcomes = await testSends(actor, tenantId, [...inside, ...(r.outsideMailbox ? [r.outsideMailbox] : [])]);
  const insideOutcomes = outcomes.slice(0, inside.length);
  const outside = r.outsideMailbox ? (outcomes[inside.length] ?? null) : null;
  const allowed = insideOutcomes.find((o) => o.httpStatus !== 202) ?? insideOutcomes[0];
  if (!allowed) throw new AppError("WIZARD_STEP_MISSING", { userMessage: "List the allowed mailboxes in the Restrict step first.", status: 409 });
  const blocked = isRestrictionRefusal(outside);
  const ok = insideOutcomes.every((o) => o.httpStatus === 202) && blocked;
  const now = new Date();
  const proof = { at: now.toISOString(), allowed, outside, ok };
  const status = ok ? "proved" : outside && outside.httpStatus === 202 ? "not-enforced" : r.status;
  await db().$transaction([
    db().tenant.update({
      where: { id: tenantId },
      data: { wizardData: toJson({ ...data, restriction: { ...r, status }, proof }), ...(ok ? { wizardStep: furthest(t.wizardStep, "done") } : {}) },
    }),
    // A passed proof makes the tried mailboxes "allowed". A failed one leaves a mailbox of the unproved
    // restriction "scripted" (still held back, whatever its own answer); others that failed become "failing".
    ...insideOutcomes.map((o) =>
      ok
        ? db().senderMailbox.updateMany({ where: { tenantId, address: o.address }, data: { policyStatus: "allowed", lastCheckedAt: now } })
        : db().senderMailbox.updateMany({ where: { tenantId, address: o.address }, data: { lastCheckedAt: now } }),
    ),
    ...(ok ? [] : [db().senderMailbox.updateMany({ where: { tenantId, address: { in: insideOutcomes.filter((o) => o.httpStatus !== 202).map((o) => o.address) }, policyStatus: { not: "scripted" } }, data: { policyStatus: "failing" } })]),
    // Beyond the mailboxes tried, a passed proof vouches for the rest of the list (no longer held back, lib/grants/may-send.ts).
    ...(ok ? [db().senderMailbox.updateMany({ where: { tenantId, address: { in: r.mailboxes.slice(PROVE_INSIDE_MAX) }, policyStatus: "scripted" }, data: { policyStatus: "proved", lastCheckedAt: now } })] : []),
  ]);
  await recordAudit({ actor, action: "tenant.restriction-proved", target: t.name, tenantId, after: { ok, allowed: allowed.httpStatus, outside: outside?.httpStatus ?? null } });
  return proof;
}
