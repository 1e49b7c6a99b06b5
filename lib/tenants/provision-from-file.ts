import "server-only";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { CLOUD_IDS, emailSchema } from "../schemas/common";
import { db } from "../db";
import { encryptSecret } from "../crypto";
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
  senders: z.array(emailSchema("Each sender must be an email address")).default([]),
});
const fileSchema = z.object({ tenants: z.array(tenantSpec) });

export const SECRET_PURPOSE = "tenant-credential";

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
      source: "config",
      ...(t.clientSecret
        ? { credentialKind: "secret" as const, credentialCipher: encryptSecret(t.clientSecret, SECRET_PURPOSE) }
        : {}),
    };
    const tenant = await db().tenant.upsert({
      where: { cloud_directoryId: { cloud: t.cloud, directoryId: t.directoryId } },
      create: { ...data, cloud: t.cloud, directoryId: t.directoryId },
      update: data,
      select: { id: true, createdAt: true, updatedAt: true },
    });
    for (const address of t.senders) {
      await db().senderMailbox.upsert({
        where: { tenantId_address: { tenantId: tenant.id, address: address.toLowerCase() } },
        create: { tenantId: tenant.id, address: address.toLowerCase() },
        update: {},
      });
    }
    if (tenant.createdAt.getTime() === tenant.updatedAt.getTime()) {
      await recordAudit({ actor: null, action: "tenant.provisioned", target: t.name, tenantId: tenant.id, after: { cloud: t.cloud, directoryId: t.directoryId, source: file } });
    }
  }
  return parsed.data.tenants.length;
}
