"use client";
import Link from "next/link";
import { useActionState } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idle } from "@/lib/action-state";
import { STATUS_LABELS } from "@/lib/glossary";
import { verifyAction } from "./actions";

export function VerifyForm({ tenantId, next, prove }: { tenantId: string; next: string; prove: string }) {
  const [state, formAction, pending] = useActionState(verifyAction, idle);
  const v = state.status === "ok" ? state.data : undefined;
  return (
    <form action={formAction} className="space-y-4">
      <input type="hidden" name="tenantId" value={tenantId} />
      {/* One primary action: "Verify now" until a result, then Continue (and verifying again is the quiet choice). */}
      <Button type="submit" variant={v && !v.missingMailSend ? "secondary" : "primary"} disabled={pending}>{pending ? "Asking Entra ID for a token…" : v ? "Verify again" : "Verify now"}</Button>
      <FormMessage state={state} />
      {v ? (
        <div className="space-y-3 text-sm">
          <p role="status">
            Entra ID issued an app-only token. Granted application permissions (roles): <strong data-testid="granted-roles">{v.roles.length ? v.roles.join(", ") : "none"}</strong>.
          </p>
          {v.scopedByRbac ? (
            <p role="status" data-testid="rbac-scoped" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">
              Scoped by Exchange RBAC: the token carries no tenant-wide Mail.Send (no <code>roles</code> claim), as expected once the tenant-wide grant is removed. Exchange RBAC for Applications decides which mailboxes the app may send as — the Prove step shows it.
            </p>
          ) : null}
          {v.missingMailSend ? (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
              Mail.Send (application) is missing: the app cannot send. Grant admin consent (previous step), then verify again.
            </p>
          ) : null}
          {v.missingReadWrite ? <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">Mail.ReadWrite is missing: attachments of 3 MB and more will fail until it is consented.</p> : null}
          {v.messageTrace === false ? <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">ExchangeMessageTrace.Read.All is missing: History stays at &quot;{STATUS_LABELS.accepted}&quot; until it is consented (and Microsoft&apos;s message trace service principal exists in the tenant).</p> : null}
          {v.messageTrace === true ? <p className="text-emerald-700 dark:text-emerald-400">ExchangeMessageTrace.Read.All granted: delivery status will be read from message trace.</p> : null}
          {v.missingUserRead ? <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">User.Read.All is missing: bulk welcome runs cannot list new users until it is consented (CSV runs still work).</p> : null}
          {v.unrestricted ? (
            <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">
              Mail.Send is granted tenant-wide with no restriction proved yet: <strong>this app can send as every mailbox</strong>.{" "}
              {v.path === "rbac" ? "With RBAC for Applications, remove the tenant-wide grant (Restrict step) so the scope takes effect." : "Restrict it to the sender mailboxes next."}
            </p>
          ) : null}
          <details>
            <summary className="cursor-pointer text-slate-600 dark:text-slate-400">The token&apos;s claims (decoded for display only)</summary>
            <pre className="mt-2 overflow-auto rounded bg-slate-950 p-3 text-xs text-slate-100">{JSON.stringify(v.claims, null, 2)}</pre>
          </details>
          {v.missingMailSend ? null : <Link className={buttonClass()} href={v.scopedByRbac ? prove : next}>Continue</Link>}
        </div>
      ) : null}
    </form>
  );
}
