import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { StepIntro } from "@/components/wizard/step-intro";
import { explainError } from "@/lib/graph/explain";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";
import { ProveForm } from "./prove-form";

type Outcome = { address: string; httpStatus: number | null; code: string | null; message: string | null; sendId?: string };

function Result({ label, o, expect }: { label: string; o: Outcome; expect: 202 | 403 }) {
  const good = expect === 202 ? o.httpStatus === 202 : o.httpStatus === 403 && /OData is disabled/i.test(o.message ?? "");
  const words = o.httpStatus === 202 ? null : explainError({ httpStatus: o.httpStatus, graphCode: o.code, message: o.message, sender: o.address });
  return (
    <li className="rounded-md border border-slate-200 p-3 dark:border-slate-800" data-testid={`proof-${expect}`}>
      <p className="flex flex-wrap items-center gap-2">
        <strong>{label}</strong> <span className="font-mono text-xs">{o.address}</span>
        <Badge tone={good ? "good" : "bad"}>{o.httpStatus ?? "no answer"}{o.code ? ` ${o.code}` : ""}</Badge>
        <span className="text-xs text-slate-500">expected {expect === 202 ? "202 Accepted" : '403 "Access to OData is disabled."'}</span>
      </p>
      {o.message ? <p className="mt-1 font-mono text-xs">{o.message}</p> : null}
      {words && expect === 202 ? <p className="mt-1 text-sm">{words.title}. {words.action}</p> : null}
      {o.sendId ? <p className="mt-1 text-xs"><Link className="underline" href={`/history/${o.sendId}`}>See this test send</Link></p> : null}
    </li>
  );
}

export default async function ProveStep({ params }: { params: Promise<{ tenantId: string }> }) {
  const { t } = await wizardPage(params, "prove");
  const p = t.data.proof;
  const notEnforced = p?.outside?.httpStatus === 202;
  return (
    <>
      <StepIntro
        title="Prove it"
        why="A restriction you have not tested is a guess: the portal sends one test message as an allowed mailbox and one as a mailbox outside the restriction. Graph should accept the first (202) and refuse the second (403 “Access to OData is disabled.”)."
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
              <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">
                The mailbox outside the restriction could still send. Exchange takes time to apply new policies and RBAC scopes to Graph — up to an hour or more (RBAC is cached 30 minutes to 2 hours).
                If you used RBAC, also remove the tenant-wide Mail.Send consent in Entra ID. Then re-check.
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
