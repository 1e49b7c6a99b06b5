import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";
import { decideRequestSchema } from "./schemas";
import { parseInput } from "../validate";

export interface Decision {
  status: "approved" | "rejected";
  /** The portal account the approved person signs in to (created, or an existing one linked). */
  userId: string | null;
}

/**
 * Approve (with a role) or decline a Microsoft sign-in that waits for approval. Approving creates the
 * person's account bound to the request's (tid, oid), so their next sign-in matches it; when an account
 * with that identity exists already it is only linked. A request is decided once: a second decision is
 * a 409, also when two admins click at the same moment.
 *   decideAccessRequest(actor, { requestId, decision: "approve", role: "sender" })
 */
export async function decideAccessRequest(
  actor: SessionUser,
  raw: { requestId: string; decision: string; role?: string },
): Promise<Decision> {
  if (actor.role !== "admin") throw forbidden("decide access requests");
  const input = parseInput(decideRequestSchema, raw);
  return db().$transaction(async (tx) => {
    const req = await tx.accessRequest.findUnique({
      where: { id: input.requestId },
      select: { tenantId: true, entraTid: true, entraObjectId: true, email: true, name: true },
    });
    if (!req) throw notFound("That request");
    const status = input.decision === "approve" ? "approved" : "rejected";
    const role = input.decision === "approve" ? input.role : null;
    // Claim the decision first: the row lock makes a concurrent decision wait and then find it decided.
    const { count } = await tx.accessRequest.updateMany({
      where: { id: input.requestId, status: "pending" },
      data: { status, role, decidedAt: new Date(), decidedById: actor.id },
    });
    if (count === 0) {
      const decided = await tx.accessRequest.findUnique({ where: { id: input.requestId }, select: { status: true, decidedAt: true } });
      const when = decided?.decidedAt ? ` on ${decided.decidedAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : "";
      const what = decided?.status === "approved" ? "approved" : "declined";
      throw new AppError("ALREADY_DECIDED", { userMessage: `The request of ${req.email} was already ${what}${when}.`, status: 409 });
    }
    if (role === null) {
      await recordAudit({ actor, action: "access.rejected", target: req.email, tenantId: req.tenantId, after: { status } }, tx);
      return { status: "rejected", userId: null };
    }

    const identity = { entraTid: req.entraTid, entraObjectId: req.entraObjectId };
    const existing = await tx.user.findUnique({ where: { entraTid_entraObjectId: identity }, select: { id: true } });
    const user =
      existing ??
      (await tx.user.create({
        data: { email: req.email.toLowerCase(), name: req.name, role, tenantId: req.tenantId, ...identity },
        select: { id: true },
      }));
    await tx.accessRequest.update({ where: { id: input.requestId }, data: { userId: user.id } });
    await recordAudit(
      { actor, action: "access.approved", target: req.email, tenantId: req.tenantId, after: { status, role, userId: user.id, linkedExisting: Boolean(existing) } },
      tx,
    );
    return { status: "approved", userId: user.id };
  });
}
