import "server-only";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { TenantStepInput } from "@/lib/schemas/wizard";
import { requireAdmin } from "./require-admin";
import { sandboxEndpoints } from "./sandbox-endpoints";
import { findSameDirectory } from "./same-directory";
import { furthest } from "./wizard-data";

const duplicate = (name?: string) =>
  new AppError("TENANT_EXISTS", {
    userMessage: `That directory is already connected to the portal${name ? ` as "${name}"` : ""}.`,
    status: 409,
    fields: { directoryId: `Directory (tenant) ID or verified domain: this directory is already connected on this cloud${name ? ` as "${name}"` : ""} (by its ID or one of its domains, in any letter case). Continue its setup from the Setup page instead.` },
  });

/** Step 1: creates the tenant (tenantId omitted) or changes its basics. Returns the tenant id. */
export async function saveTenantStep(actor: SessionUser, input: Omit<TenantStepInput, "messageTrace"> & { messageTrace?: boolean }, tenantId?: string): Promise<string> {
  requireAdmin(actor);
  // The Sandbox cloud's hosts are configuration (the running sandbox's endpoints file).
  const hosts = input.cloud === "sandbox" ? await sandboxEndpoints() : null;
  const data = {
    name: input.name,
    cloud: input.cloud,
    directoryId: input.directoryId,
    loginUrl: hosts?.loginUrl ?? null,
    graphUrl: hosts?.graphUrl ?? null,
    useApplication: input.usage !== "delegated",
    useDelegated: input.usage !== "application",
    largeAttachments: input.usage !== "delegated" && input.largeAttachments,
    bulkDirectory: input.usage !== "delegated" && input.bulkDirectory,
    messageTrace: input.usage !== "delegated" && input.messageTrace === true,
  };
  // The same directory typed another way (letter case, domain vs GUID) is still the same tenant.
  const same = await findSameDirectory({ cloud: data.cloud, directoryId: data.directoryId }, tenantId);
  if (same) throw duplicate(same.name);
  try {
    if (!tenantId) {
      const t = await db().tenant.create({ data: { ...data, source: "wizard", wizardStep: "register" }, select: { id: true } });
      await recordAudit({ actor, action: "tenant.created", target: input.name, tenantId: t.id, after: data });
      return t.id;
    }
    const before = await db().tenant.findUnique({ where: { id: tenantId }, select: { name: true, cloud: true, directoryId: true, useApplication: true, useDelegated: true, largeAttachments: true, bulkDirectory: true, messageTrace: true, wizardStep: true } });
    if (!before) throw new AppError("NOT_FOUND", { userMessage: "That tenant was not found.", status: 404 });
    // Another directory or cloud is another tenant as far as consent and verification go.
    const moved = before.cloud !== data.cloud || before.directoryId.toLowerCase() !== data.directoryId.toLowerCase();
    await db().tenant.update({
      where: { id: tenantId },
      data: { ...data, wizardStep: furthest(before.wizardStep, "register"), ...(moved ? { consentState: "pending", consentAt: null, lastVerifiedAt: null } : {}) },
    });
    const { wizardStep: _w, ...beforeView } = before;
    await recordAudit({ actor, action: "tenant.updated", target: input.name, tenantId, before: beforeView, after: data });
    return tenantId;
  } catch (err) {
    if (err && typeof err === "object" && (err as { code?: string }).code === "P2002") throw duplicate();
    throw err;
  }
}
