import "server-only";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { CLOUD_IDS, emailSchema } from "../schemas/common";
import { db } from "../db";
import { encryptSecret } from "../crypto";
import { TENANT_CREDENTIAL_PURPOSE } from "../secret-columns";
import { recordAudit } from "../audit/record";

/**
 * Declarative tenants (PORTAL_TENANTS_FILE): for infrastructure-as-code deployments, and how `npm start`
 * connects the sandbox tenant in demo mode. Upserted at every start; the wizard can take them further.
 */
const tenantSpec = z.object({
  name: z.string().min(1).max(120),
  cloud: z.enum(CLOUD_IDS),
  directoryId: z.string().min(1),
  loginUrl: z.url().optional(),
  graphUrl: z.url().optional(),
  clientId: z.uuid(),
  clientSecret: z.string().min(1).optional(),
  useApplication: z.boolean().default(true),
  useDelegated: z.boolean().default(true),
  largeAttachments: z.boolean().default(false),
  bulkDirectory: z.boolean().default(false),
  messageTrace: z.boolean().default(false),
  senders: z.array(emailSchema("Each sender must be an email address")).default([]),
});
const fileSchema = z.object({ tenants: z.array(tenantSpec) });

export async function provisionTenantsFromFile(file: string): Promise<number> {
  const raw = JSON.parse(await readFile(file, "utf8")) as unknown;
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  for (const t of parsed.data.tenants) {
    const data = {
      name: t.name,
      loginUrl: t.loginUrl ?? null,
      graphUrl: t.graphUrl ?? null,
      clientId: t.clientId,
      useApplication: t.useApplication,
      useDelegated: t.useDelegated,
      largeAttachments: t.largeAttachments,
      bulkDirectory: t.bulkDirectory,
      messageTrace: t.messageTrace,
      source: "config",
    };
    // The secret is bound to the tenant row's id (lib/crypto.ts): find or create the row, then write the
    // secret bound to its id, in one transaction so no reader sees a new tenant without its secret.
    const { tenant, created } = await db().$transaction(async (tx) => {
      const where = { cloud_directoryId: { cloud: t.cloud, directoryId: t.directoryId } };
      const existing = await tx.tenant.findUnique({ where, select: { id: true } });
      const row = existing
        ? await tx.tenant.update({ where: { id: existing.id }, data, select: { id: true } })
        : await tx.tenant.create({ data: { ...data, cloud: t.cloud, directoryId: t.directoryId }, select: { id: true } });
      if (t.clientSecret) {
        const credentialCipher = encryptSecret(t.clientSecret, { purpose: TENANT_CREDENTIAL_PURPOSE, rowId: row.id });
        // App and credential come from the file: the wizard's registration and credential steps are done,
        // so it opens at Verify ("ready to verify", not "consent pending" at step 1). Never moves progress back.
        const step = await tx.tenant.findUniqueOrThrow({ where: { id: row.id }, select: { wizardStep: true } });
        const early = ["tenant", "register", "credential", "consent"].includes(step.wizardStep);
        await tx.tenant.update({ where: { id: row.id }, data: { credentialKind: "secret", credentialCipher, ...(early ? { wizardStep: "verify" } : {}) }, select: { id: true } });
      }
      return { tenant: row, created: !existing };
    });
    for (const address of t.senders) {
      await db().senderMailbox.upsert({
        where: { tenantId_address: { tenantId: tenant.id, address: address.toLowerCase() } },
        create: { tenantId: tenant.id, address: address.toLowerCase() },
        update: {},
      });
    }
    if (created) {
      await recordAudit({ actor: null, action: "tenant.provisioned", target: t.name, tenantId: tenant.id, after: { cloud: t.cloud, directoryId: t.directoryId, source: file } });
    }
  }
  return parsed.data.tenants.length;
}
