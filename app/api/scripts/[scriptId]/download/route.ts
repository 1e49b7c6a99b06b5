import { route } from "@/lib/api";
import { contentDisposition, scriptFile } from "@/lib/scripts/inventory/download";
import { scriptDownloadQuerySchema } from "@/lib/schemas/scripts";

/** One script, converted (default) or original, in the encoding it was uploaded in. Admins and auditors. */
export const GET = route({ roles: ["admin", "auditor"] }, async ({ req, user, params }) => {
  const { which } = scriptDownloadQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
  const f = await scriptFile(user, String(params.scriptId), which);
  return new Response(f.bytes as BodyInit, {
    headers: { "content-type": "application/octet-stream", "content-disposition": contentDisposition(f.name), "cache-control": "no-store" },
  });
});
