import { route } from "@/lib/api";
import { recordAudit } from "@/lib/audit/record";
import { paramsRecord } from "@/lib/schemas/history";
import { moduleQuerySchema } from "@/lib/schemas/scripts-module";
import { moduleForTenant } from "@/lib/scripts/module/module-for-tenant";
import { fileBytes, zipModule } from "@/lib/scripts/module/zip-module";

/**
 * Downloads the drop-in PowerShell module for a tenant and transport: the GraphMail folder as a zip, or
 * one of its files (`file=`). The same files the /scripts/module page shows. Admins only (checked again
 * in moduleForTenant); every download is audited, like the wizard's scripts.
 */
export const GET = route({ roles: ["admin"] }, async ({ req, user }) => {
  const q = moduleQuerySchema.parse(paramsRecord(req.nextUrl.searchParams));
  const { tenant, built } = await moduleForTenant(user, q);
  await recordAudit({ actor: user, action: "scripts.module-downloaded", target: tenant.name, tenantId: tenant.id, after: { transport: q.transport, file: q.file ?? "GraphMail.zip", defaultFrom: q.from } });
  const headers = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
  if (q.file) {
    const file = built.files.find((f) => f.path.endsWith(`/${q.file}`))!;
    return new Response(Buffer.from(fileBytes(file)), {
      headers: { ...headers, "content-type": "text/plain; charset=utf-8", "content-disposition": `attachment; filename="${q.file}"` },
    });
  }
  return new Response(Buffer.from(zipModule(built)), {
    headers: { ...headers, "content-type": "application/zip", "content-disposition": 'attachment; filename="GraphMail.zip"' },
  });
});
