import { route } from "@/lib/api";
import { contentDisposition, scriptsZip } from "@/lib/scripts/inventory/download";
import { scriptsExportQuerySchema } from "@/lib/schemas/scripts";

/** A tenant's converted scripts as one zip (?tenant=…, optionally &attention=1 or &ids=a,b). Admins and auditors. */
export const GET = route({ roles: ["admin", "auditor"] }, async ({ req, user }) => {
  const q = scriptsExportQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
  const z = await scriptsZip(user, { tenantId: q.tenant, ids: q.ids, attention: q.attention === "1" });
  return new Response(z.bytes as BodyInit, {
    headers: { "content-type": "application/zip", "content-disposition": contentDisposition(z.name), "cache-control": "no-store" },
  });
});
