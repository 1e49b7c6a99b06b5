import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RotationButton } from "@/components/credentials/rotation-button";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { SandboxRun } from "@/components/wizard/sandbox-run";
import { ScriptBlock } from "@/components/wizard/script-block";
import { pageUser } from "@/lib/auth/page-user";
import { describeDays, type ExpiryState } from "@/lib/credentials/expiry";
import { loadRotationView, type CredentialView } from "@/lib/credentials/load-rotation-view";
import { AppError } from "@/lib/errors";
import { confirmRemovalAction, runRotationScriptAction, switchCredentialAction, verifyRotationAction } from "../actions";
import { RotationCertificateForm, RotationSecretForm } from "../forms";

export const metadata: Metadata = { title: "Rotate a credential" };

const TONE: Record<ExpiryState, "good" | "warn" | "bad" | "neutral"> = { ok: "good", warning: "warn", critical: "bad", expired: "bad", "no-expiry": "neutral" };
const STEPS = [
  { id: "add", label: "Add a new certificate or secret next to the current one" },
  { id: "verify", label: "Verify it with a real token" },
  { id: "switch", label: "Switch the portal to it" },
  { id: "remove", label: "Remove the old one" },
] as const;

function Credential({ title, c }: { title: string; c: CredentialView }) {
  return (
    <Card title={title}>
      <dl className="grid grid-cols-[9rem_1fr] gap-y-1 text-sm">
        <dt className="text-slate-500">Kind</dt><dd>{c.kind}</dd>
        <dt className="text-slate-500">Expires</dt><dd>{c.expiresAt?.toISOString().slice(0, 10) ?? "not recorded"} · {describeDays(c.daysLeft)} <Badge tone={TONE[c.state]}>{c.state}</Badge></dd>
        {c.thumbprintSha1 ? <><dt className="text-slate-500">SHA-1 thumbprint</dt><dd className="break-all font-mono text-xs">{c.thumbprintSha1}</dd></> : null}
        {c.keyId ? <><dt className="text-slate-500">Entra key ID</dt><dd className="font-mono text-xs">{c.keyId}</dd></> : null}
        {c.verifiedAt ? <><dt className="text-slate-500">Verified</dt><dd>{c.verifiedAt.toISOString().slice(0, 16).replace("T", " ")} UTC</dd></> : null}
      </dl>
    </Card>
  );
}

export default async function RotatePage({ params }: { params: Promise<{ tenantId: string }> }) {
  const user = await pageUser(["admin", "auditor"]);
  const { tenantId } = await params;
  const v = await loadRotationView(user, tenantId).catch((e: unknown) => {
    if (e instanceof AppError && e.status === 404) notFound();
    throw e;
  });
  const admin = user.role === "admin";
  const at = STEPS.findIndex((s) => s.id === v.step);
  const sandbox = v.tenant.cloud === "sandbox";
  const s = v.scripts;
  const scriptBlocks = s ? (
    <div className="space-y-3">
      <ScriptBlock title="Microsoft Graph PowerShell" text={s.scripts.powershell.text} downloadHref={`/api/credentials/${v.tenant.id}/scripts/${s.kind}`} filename={s.scripts.powershell.filename}>
        {sandbox ? <SandboxRun action={runRotationScriptAction} tenantId={v.tenant.id} kind={s.kind} /> : null}
      </ScriptBlock>
      <ScriptBlock title="Azure CLI" text={s.scripts.azureCli.text} downloadHref={`/api/credentials/${v.tenant.id}/scripts/${s.kind}?shell=az`} filename={s.scripts.azureCli.filename} />
    </div>
  ) : null;
  const defaultExpiry = new Date(v.now.getTime() + 182 * 86_400_000).toISOString().slice(0, 10);
  return (
    <>
      <p className="mb-2 text-sm"><Link href="/settings/credentials" className="text-brand-600 underline">← Credentials</Link></p>
      <PageHeader
        title={`Rotate the credential of ${v.tenant.name}`}
        description="The new credential is added next to the current one, proved with a real token, and switched to in one step; the old one is removed last. Sends keep flowing throughout: no send ever uses a credential Entra ID has stopped accepting."
      />
      <ol className="mb-4 grid gap-2 text-sm md:grid-cols-4" aria-label="Rotation steps">
        {STEPS.map((st, i) => (
          <li key={st.id} aria-current={i === at ? "step" : undefined} className={`rounded-md border px-3 py-2 ${i === at ? "border-brand-600 font-semibold" : "border-slate-200 dark:border-slate-800"}`}>
            {i + 1}. {st.label} {i < at ? <Badge tone="good">done</Badge> : null}
          </li>
        ))}
      </ol>
      {!v.tenant.ready ? <Card><p className="text-sm">This tenant has no credential yet: finish its setup in the <Link className="text-brand-600 underline" href={`/setup/${v.tenant.id}`}>wizard</Link>.</p></Card> : null}
      <div className="mb-4 grid gap-4 md:grid-cols-3">
        {v.current ? <Credential title="Current (used by sends)" c={v.current} /> : null}
        {v.next ? <Credential title="New (not used yet)" c={v.next} /> : null}
        {v.previous ? <Credential title="Old (switched away from, still valid in Entra ID)" c={v.previous} /> : null}
      </div>
      {v.tenant.declaredInFile ? <Card><p className="text-sm" role="status">This tenant is declared in <code>PORTAL_TENANTS_FILE</code>, whose client secret is written back at every start. Rotate it there: add the new secret in Entra ID next to the old one, put it in the file, restart the portal, then remove the old secret.</p></Card> : null}
      {admin && v.tenant.ready && !v.tenant.declaredInFile ? (
        <Card title={`Step ${at + 1}: ${STEPS[at]!.label}`}>
          {v.step === "add" ? (
            <div className="space-y-4">
              <p className="text-sm">A certificate is recommended: the portal makes the key pair and its private key never leaves the server.</p>
              <RotationCertificateForm tenantId={v.tenant.id} />
              <details className="text-sm">
                <summary className="cursor-pointer">Or add a client secret instead</summary>
                <div className="mt-3 space-y-3">
                  {scriptBlocks}
                  <RotationSecretForm tenantId={v.tenant.id} defaultExpiry={defaultExpiry} />
                </div>
              </details>
            </div>
          ) : null}
          {v.step === "verify" ? (
            <div className="space-y-4">
              <p className="text-sm">{v.next?.kind === "certificate" ? "Add the new certificate to the app registration with one of these scripts (it keeps the current one)," : "The new secret is saved;"} then verify it: the portal asks Entra ID for a token with it.</p>
              {v.next?.kind === "certificate" ? scriptBlocks : null}
              <RotationButton action={verifyRotationAction} tenantId={v.tenant.id} label="Verify with a real token" pendingLabel="Asking Entra ID…" />
            </div>
          ) : null}
          {v.step === "switch" ? (
            <div className="space-y-3">
              <p className="text-sm">Entra ID accepted the new credential. Switching makes every send from now on use it; the old one stays valid until you remove it.</p>
              <RotationButton action={switchCredentialAction} tenantId={v.tenant.id} label="Switch to the new credential" pendingLabel="Switching…" />
            </div>
          ) : null}
          {v.step === "remove" ? (
            <div className="space-y-4">
              {v.inFlight > 0 ? <p role="alert" className="text-sm text-amber-800 dark:text-amber-200">{v.inFlight} send{v.inFlight === 1 ? "" : "s"} started before the switch {v.inFlight === 1 ? "is" : "are"} still in flight: remove the old credential once {v.inFlight === 1 ? "it finishes" : "they finish"}.</p> : null}
              <p className="text-sm">Remove the old credential from the app registration with one of these scripts, then let the portal check that Entra ID refuses it.</p>
              {scriptBlocks}
              <RotationButton action={confirmRemovalAction} tenantId={v.tenant.id} label="Check the old one is gone" pendingLabel="Asking Entra ID…" />
            </div>
          ) : null}
        </Card>
      ) : null}
    </>
  );
}
