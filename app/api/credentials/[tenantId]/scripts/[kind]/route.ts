import { route } from "@/lib/api";
import { recordAudit } from "@/lib/audit/record";
import { portalNow } from "@/lib/credentials/clock";
import { requireCredentialAdmin } from "@/lib/credentials/require-role";
import { ROTATION_SCRIPT_KINDS, rotationScripts, type RotationScriptKind } from "@/lib/credentials/rotation-scripts";
import { tenantForRotation } from "@/lib/credentials/tenant-for-rotation";
import { notFound } from "@/lib/errors";

/** Downloads a credential rotation script: ?shell=az for the Azure CLI one, PowerShell otherwise. */
export const GET = route({ roles: ["admin"] }, async ({ user, params, req }) => {
  requireCredentialAdmin(user);
  const kind = String(params.kind) as RotationScriptKind;
  if (!ROTATION_SCRIPT_KINDS.includes(kind)) throw notFound("That script");
  const t = await tenantForRotation(String(params.tenantId));
  const scripts = rotationScripts(t, kind, await portalNow());
  const s = new URL(req.url).searchParams.get("shell") === "az" ? scripts.azureCli : scripts.powershell;
  await recordAudit({ actor: user, action: "credential.rotation-script-downloaded", target: t.name, tenantId: t.id, after: { kind, filename: s.filename } });
  return new Response(s.text, {
    headers: {
      "content-type": s.filename.endsWith(".sh") ? "text/x-shellscript; charset=utf-8" : "text/plain; charset=utf-8",
      "content-disposition": `attachment; filename="${s.filename}"`,
      "cache-control": "no-store",
    },
  });
});
