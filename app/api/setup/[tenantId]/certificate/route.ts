import { route } from "@/lib/api";
import { notFound } from "@/lib/errors";
import { certificateThumbprints } from "@/lib/tenants/wizard/generate-certificate";
import { loadWizardTenant } from "@/lib/tenants/wizard/load-wizard-tenant";

/** The tenant's public certificate, for upload to the app registration: DER (.cer) or PEM. Never the private key. */
export const GET = route({ roles: ["admin"] }, async ({ req, user, params }) => {
  const t = await loadWizardTenant(user, String(params.tenantId));
  if (!t.certificatePem) throw notFound("A certificate for this tenant");
  const pem = req.nextUrl.searchParams.get("format") === "pem";
  const body = pem ? t.certificatePem : new Uint8Array(certificateThumbprints(t.certificatePem).der);
  return new Response(body, {
    headers: {
      "content-type": pem ? "application/x-pem-file" : "application/pkix-cert",
      "content-disposition": `attachment; filename="graph-mail-portal.${pem ? "pem" : "cer"}"`,
      "cache-control": "no-store",
    },
  });
});
