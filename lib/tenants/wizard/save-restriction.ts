import "server-only";
import { notFound } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import type { RestrictInput } from "@/lib/schemas/wizard";
import { requireAdmin } from "./require-admin";
import { furthest, readWizardData, toJson } from "./wizard-data";

export const SCOPE_NAME = "Graph Mail Portal senders";

/**
 * Step 6: the mailboxes the app may send as. Saved as the tenant's sender mailboxes and as the input of
 * the two restriction scripts; the Prove step is what shows Exchange enforces it.
 */
export async function saveRestriction(actor: SessionUser, tenantId: string, input: RestrictInput): Promise<void> {
  requireAdmin(actor);
  const t = await db().tenant.findUnique({ where: { id: tenantId }, select: { name: true, wizardStep: true, wizardData: true } });
  if (!t) throw notFound("That tenant");
  const data = readWizardData(t.wizardData);
  const restriction = {
    method: input.method,
    groupAddress: input.groupAddress?.toLowerCase() ?? "",
    createGroup: input.createGroup,
    mailboxes: input.mailboxes,
    ...(input.outsideMailbox ? { outsideMailbox: input.outsideMailbox.toLowerCase() } : {}),
    scopeName: SCOPE_NAME,
    savedAt: new Date().toISOString(),
    status: "scripted" as const,
  };
  // A different restriction is not the one that was proved: after Done the tenant drops back to "needs
  // proof" (the Prove step), and its new mailboxes stay "scripted" — not offered by Compose nor sent from
  // (lib/grants/may-send.ts) — until the Prove step passes again. Saving the same restriction keeps the proof.
  const before = data.restriction;
  const same = !!before && before.status === "proved" && (before.method ?? "policy") === input.method &&
    [...before.mailboxes].sort().join() === [...input.mailboxes].sort().join() && (before.groupAddress || "") === (restriction.groupAddress || "") &&
    (before.outsideMailbox ?? "") === (restriction.outsideMailbox ?? "");
  if (same) return;
  const wizardStep = t.wizardStep === "done" ? "prove" : furthest(t.wizardStep, "prove");
  await db().$transaction(async (tx) => {
    for (const address of input.mailboxes) {
      await tx.senderMailbox.upsert({
        where: { tenantId_address: { tenantId, address } },
        create: { tenantId, address, allowed: true, policyStatus: "scripted" },
        update: { allowed: true, policyStatus: "scripted" },
      });
    }
    // Mailboxes dropped from the list are no longer allowed for application sending.
    await tx.senderMailbox.updateMany({ where: { tenantId, address: { notIn: input.mailboxes } }, data: { allowed: false } });
    await tx.tenant.update({
      where: { id: tenantId },
      data: { wizardData: toJson({ ...data, restriction, proof: undefined }), wizardStep },
    });
    await recordAudit({ actor, action: "tenant.restriction-saved", target: t.name, tenantId, before: data.restriction ?? {}, after: restriction }, tx);
  });
}
