import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { SandboxRun } from "@/components/wizard/sandbox-run";
import { ScriptBlock } from "@/components/wizard/script-block";
import { StepIntro } from "@/components/wizard/step-intro";
import { certificateThumbprints } from "@/lib/tenants/wizard/generate-certificate";
import { tenantScript } from "@/lib/tenants/wizard/tenant-scripts";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";
import { runScriptAction } from "../../actions";
import { CertificateForm, SecretForm } from "./forms";

const day = (d: Date | null) => d?.toISOString().slice(0, 10) ?? "—";

export default async function CredentialStep({ params }: { params: Promise<{ tenantId: string }> }) {
  const { t } = await wizardPage(params, "credential");
  const tp = t.certificatePem ? certificateThumbprints(t.certificatePem) : null;
  const upload = t.certificatePem && t.clientId ? tenantScript(t, "certificate") : null;
  const defaultExpiry = new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10);
  return (
    <>
      <StepIntro
        title="Credential"
        why="The app proves who it is to Entra ID with a client secret or a certificate, and the portal keeps it encrypted on the server. A certificate is recommended: its private key never leaves the portal and cannot be copied out of a log or a screenshot like a secret."
      />
      <p className="mb-4 text-sm" role="status">
        Current credential:{" "}
        {t.credentialKind === "none" ? <Badge tone="warn">none yet</Badge> : <Badge tone="good">{t.credentialKind}</Badge>}
        {t.credentialKind !== "none" ? <> · expires {day(t.credentialExpires)}</> : null}
      </p>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Certificate (recommended)">
          <CertificateForm tenantId={t.id} hasCertificate={!!tp} />
          {tp ? (
            <div className="mt-4 space-y-3 text-sm">
              <dl className="grid grid-cols-[10rem_1fr] gap-y-1">
                <dt className="text-slate-500">Thumbprint (SHA-1)</dt>
                <dd className="break-all font-mono text-xs" data-testid="thumbprint-sha1">{tp.sha1}</dd>
                <dt className="text-slate-500">Thumbprint (SHA-256)</dt>
                <dd className="break-all font-mono text-xs">{tp.sha256}</dd>
                <dt className="text-slate-500">Expires</dt>
                <dd>{t.credentialKind === "certificate" ? day(t.credentialExpires) : "—"}</dd>
              </dl>
              <p>
                Upload the public certificate to the app registration (<strong>Certificates &amp; secrets → Certificates → Upload certificate</strong>);
                Entra ID then shows the SHA-1 thumbprint above.
              </p>
              <p className="flex flex-wrap gap-2">
                <a className={buttonClass("secondary")} href={`/api/setup/${t.id}/certificate?format=der`} download="graph-mail-portal.cer">Download .cer (DER)</a>
                <a className={buttonClass("secondary")} href={`/api/setup/${t.id}/certificate?format=pem`} download="graph-mail-portal.pem">Download .pem</a>
              </p>
              {upload ? (
                <ScriptBlock title="Upload it with Microsoft Graph PowerShell" text={upload.text} downloadHref={`/api/setup/${t.id}/scripts/certificate`} filename={upload.filename}>
                  {t.cloud === "sandbox" ? <SandboxRun action={runScriptAction} tenantId={t.id} kind="certificate" /> : null}
                </ScriptBlock>
              ) : null}
            </div>
          ) : null}
        </Card>
        <Card title="Client secret">
          <SecretForm tenantId={t.id} defaultExpiry={defaultExpiry} primary={t.credentialKind === "none" && t.data.plannedCredential === "secret"} />
        </Card>
      </div>
      {t.credentialKind !== "none" ? (
        <p className="mt-4"><Link className={buttonClass()} href={`/setup/${t.id}/consent?next=1`}>Continue to admin consent</Link></p>
      ) : null}
    </>
  );
}
