import { route } from "@/lib/api";
import { recordAudit } from "@/lib/audit/record";
import { notFound } from "@/lib/errors";
import { loadWizardTenant } from "@/lib/tenants/wizard/load-wizard-tenant";
import { SCRIPT_KINDS as KINDS, tenantScript, type ScriptKind } from "@/lib/tenants/wizard/tenant-scripts";

/** Downloads a generated script as a .ps1 / .sh file (the same text the page shows). */
export const GET = route({ roles: ["admin"] }, async ({ user, params }) => {
  const kind = String(params.kind) as ScriptKind;
  if (!KINDS.includes(kind)) throw notFound("That script");
  const t = await loadWizardTenant(user, String(params.tenantId));
  const s = tenantScript(t, kind);
  // A restriction or registration script leaving the portal is an admin decision worth a trail.
  await recordAudit({ actor: user, action: "tenant.script-downloaded", target: t.name, tenantId: t.id, after: { kind, filename: s.filename } });
  return new Response(s.text, {
    headers: {
      "content-type": s.language === "bash" ? "text/x-shellscript; charset=utf-8" : "text/plain; charset=utf-8",
      "content-disposition": `attachment; filename="${s.filename}"`,
      "cache-control": "no-store",
    },
  });
});
