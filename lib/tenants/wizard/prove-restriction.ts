import "server-only";
import { ResponseType } from "@microsoft/microsoft-graph-client";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { graphClient } from "@/lib/graph/client";
import { graphFailure } from "@/lib/graph/errors";
import { loadTenantAccess, type TenantAccess } from "@/lib/graph/tenant-access";
import { appToken } from "@/lib/graph/tokens";
import { requireAdmin } from "./require-admin";
import { furthest, readWizardData, toJson } from "./wizard-data";

interface Outcome { address: string; httpStatus: number | null; code: string | null; message: string | null; sendId?: string }

const SUBJECT = "Graph Mail Portal: restriction test";

/**
 * One test send as `from` (to itself) through Graph sendMail, written as a Send with one SendAttempt
 * (mode "app") so History shows it. Answers what Graph answered: 202, or the error's status and code.
 */
async function testSend(actor: SessionUser, access: TenantAccess, from: string): Promise<Outcome> {
  const started = Date.now();
  const clientRequestId = crypto.randomUUID();
  const body = {
    message: { subject: SUBJECT, body: { contentType: "Text", content: "A test message from the Graph Mail Portal setup wizard, proving which mailboxes the app may send as." }, toRecipients: [{ emailAddress: { address: from } }] },
    saveToSentItems: false,
  };
  let out: Outcome & { requestId: string | null };
  try {
    const token = (await appToken(access)).accessToken;
    // RAW: the SDK hands back the response whatever its status, so the real status and request-id are recorded.
    const res = (await graphClient(access, async () => token)
      .api(`/users/${encodeURIComponent(from)}/sendMail`)
      .header("client-request-id", clientRequestId)
      .responseType(ResponseType.RAW)
      .post(body)) as Response;
    if (res.ok) out = { address: from, httpStatus: res.status, code: null, message: null, requestId: res.headers.get("request-id") };
    else {
      const f = graphFailure(await res.json().catch(() => ({ error: { code: `HTTP${res.status}` } })));
      out = { address: from, httpStatus: res.status, code: f.graphCode ?? null, message: f.message ?? null, requestId: res.headers.get("request-id") ?? f.requestId ?? null };
    }
  } catch (err) {
    const f = err instanceof AppError ? { graphCode: err.code, message: err.userMessage, httpStatus: null } : graphFailure(err);
    out = { address: from, httpStatus: f.httpStatus ?? null, code: f.graphCode ?? null, message: f.message ?? null, requestId: null };
  }
  const accepted = out.httpStatus === 202;
  const send = await db().send.create({
    data: {
      tenantId: access.id, mode: "app", status: accepted ? "accepted" : "failed", actorUserId: actor.id, fromAddress: from, toAddresses: [from],
      ccAddresses: [], bccAddresses: [], recipientCount: 1, subject: SUBJECT, bodyType: "text", body: body.message.body.content,
      saveToSent: false, attemptCount: 1, completedAt: new Date(), errorCode: out.code, errorMessage: out.message,
      attempts: { create: { number: 1, durationMs: Date.now() - started, httpStatus: out.httpStatus, graphCode: out.code, message: out.message, requestId: out.requestId, clientRequestId, outcome: accepted ? "accepted" : "failed" } },
    },
    select: { id: true },
  });
  return { address: out.address, httpStatus: out.httpStatus, code: out.code, message: out.message, sendId: send.id };
}

/**
 * Step 7: send as an allowed mailbox (expect 202) and as one outside the restriction (expect 403
 * ErrorAccessDenied "Access to OData is disabled."). When the outside send still succeeds, the
 * restriction is not enforced yet (propagation takes up to an hour or more): recorded, re-checkable.
 */
export async function proveRestriction(actor: SessionUser, tenantId: string) {
  requireAdmin(actor);
  const t = await db().tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { name: true, wizardStep: true, wizardData: true } });
  const data = readWizardData(t.wizardData);
  const r = data.restriction;
  if (!r?.mailboxes[0]) throw new AppError("WIZARD_STEP_MISSING", { userMessage: "List the allowed mailboxes in the Restrict step first.", status: 409 });
  const access = await loadTenantAccess(tenantId);
  const allowed = await testSend(actor, access, r.mailboxes[0]);
  const outside = r.outsideMailbox ? await testSend(actor, access, r.outsideMailbox) : null;
  const blocked = !!outside && outside.httpStatus === 403 && /OData is disabled/i.test(outside.message ?? "");
  const ok = allowed.httpStatus === 202 && blocked;
  const now = new Date();
  const proof = { at: now.toISOString(), allowed, outside, ok };
  const status = ok ? "proved" : outside && outside.httpStatus === 202 ? "not-enforced" : r.status;
  await db().$transaction([
    db().tenant.update({
      where: { id: tenantId },
      data: { wizardData: toJson({ ...data, restriction: { ...r, status }, proof }), ...(ok ? { wizardStep: furthest(t.wizardStep, "done") } : {}) },
    }),
    db().senderMailbox.updateMany({ where: { tenantId, address: allowed.address }, data: { policyStatus: allowed.httpStatus === 202 ? "allowed" : "failing", lastCheckedAt: now } }),
  ]);
  await recordAudit({ actor, action: "tenant.restriction-proved", target: t.name, tenantId, after: { ok, allowed: allowed.httpStatus, outside: outside?.httpStatus ?? null } });
  return proof;
}
