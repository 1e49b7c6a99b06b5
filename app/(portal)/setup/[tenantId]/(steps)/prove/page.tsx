import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { StepIntro } from "@/components/wizard/step-intro";
import { explainError } from "@/lib/graph/explain";
import { isRestrictionRefusal } from "@/lib/tenants/wizard/prove-restriction";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";
import { SandboxRun } from "@/components/wizard/sandbox-run";
import { runScriptAction } from "../../actions";
import { ProveForm } from "./prove-form";

type Outcome = { address: string; httpStatus: number | null; code: string | null; message: string | null; sendId?: string };

function Result({ label, o, expect }: { label: string; o: Outcome; expect: 202 | 403 }) {
  // Outside the restriction any 403 ErrorAccessDenied proves it (the RBAC scope's text is unpublished);
  // a 202 there is never a success.
  const good = expect === 202 ? o.httpStatus === 202 : isRestrictionRefusal(o);
  const words = o.httpStatus === 202 ? null : explainError({ httpStatus: o.httpStatus, graphCode: o.code, message: o.message, sender: o.address });
  return (
    <li className="rounded-md border border-slate-200 p-3 dark:border-slate-800" data-testid={`proof-${expect}`}>
      <p className="flex flex-wrap items-center gap-2">
        <strong>{label}</strong> <span className="font-mono text-xs">{o.address}</span>
        <Badge tone={good ? "good" : "bad"}>{o.httpStatus ?? "no answer"}{o.code ? ` ${o.code}` : ""}</Badge>
        <span className="text-xs text-slate-500">expected {expect === 202 ? "202 Accepted" : "403 ErrorAccessDenied (refused)"}</span>
      </p>
      {o.message ? <p className="mt-1 font-mono text-xs" data-testid={`proof-${expect}-message`}><span className="sr-only">Microsoft&apos;s message: </span>{o.message}</p> : null}
      {words && expect === 202 ? <p className="mt-1 text-sm">{words.title}. {words.action}</p> : null}
      {o.sendId ? <p className="mt-1 text-xs"><Link className="underline" href={`/history/${o.sendId}`}>See this test send</Link></p> : null}
    </li>
  );
}

export default async function ProveStep({ params }: { params: Promise<{ tenantId: string }> }) {
  const { t } = await wizardPage(params, "prove");
  const p = t.data.proof;
  const notEnforced = p?.outside?.httpStatus === 202;
  const rbac = t.data.restriction?.method === "rbac";
  return (
    <>
      <StepIntro
        title="Prove it"
        why="A restriction you have not tested is a guess: the portal sends one test message as an allowed mailbox and one as a mailbox outside the restriction. Graph should accept the first (202) and refuse the second with 403 ErrorAccessDenied — “Access to OData is disabled.” for an access policy; for RBAC for Applications Microsoft publishes no text, so its message is shown as it came."
      />
      <Card>
        {!t.data.restriction?.outsideMailbox ? <p className="mb-3 text-sm">Add a mailbox outside the restriction in the Restrict step to test the refusal too.</p> : null}
        <ProveForm tenantId={t.id} again={!!p} />
        {p ? (
          <div className="mt-4 space-y-3 text-sm">
            <p>Last check: <time dateTime={p.at}>{p.at.replace("T", " ").slice(0, 19)} UTC</time></p>
            <ul className="space-y-2">
              <Result label="Allowed mailbox" o={p.allowed} expect={202} />
              {p.outside ? <Result label="Mailbox outside" o={p.outside} expect={403} /> : null}
            </ul>
            {notEnforced ? (
              <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
                Not proved: the mailbox outside the restriction could still send.{" "}
                {rbac ? (
                  <>
                    With RBAC for Applications this means the app still holds the tenant-wide Mail.Send grant in Entra ID (grants add up), or Exchange has not applied the scope yet (cached 30 minutes to 2 hours).{" "}
                    <Link className="underline" href={`/setup/${t.id}/restrict#remove-grant`}>Remove the tenant-wide grant</Link>
                    {t.cloud === "sandbox" ? " (or run its script here)" : ", verify again"}, then re-check.
                  </>
                ) : (
                  <>Exchange takes time to apply a new access policy to Graph — up to an hour or more. Re-check later.</>
                )}
              </p>
            ) : null}
            {notEnforced && rbac && t.cloud === "sandbox" ? (
              <SandboxRun action={runScriptAction} tenantId={t.id} kind="remove-grant" label="Remove the tenant-wide grant in the sandbox" variant="primary" />
            ) : null}
            {p.outside && !notEnforced && !p.ok ? (
              <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
                Not proved: see the answers above.
              </p>
            ) : null}
            {p.ok ? <p role="status" className="font-medium text-emerald-700 dark:text-emerald-300">Proved: the app sends only as the allowed mailboxes.</p> : null}
            {p.ok ? <Link className={buttonClass()} href={`/setup/${t.id}/done`}>Finish</Link> : null}
          </div>
        ) : null}
      </Card>
    </>
  );
}
