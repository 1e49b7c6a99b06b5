import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { LinkMicrosoft } from "@/components/account/link-microsoft";
import { myAccount } from "@/lib/users/my-account";
import { findSignInTenants } from "@/lib/tenants/find-sign-in-tenants";
import { startMicrosoftLink } from "./actions";

export const metadata: Metadata = { title: "Settings" };

const LINK_MESSAGES: Record<string, { ok: boolean; text: string }> = {
  done: { ok: true, text: "Your Microsoft account is linked: you can now also sign in with Microsoft." },
  taken: { ok: false, text: "That Microsoft account already belongs to another portal account. Nothing was linked." },
  "wrong-directory": { ok: false, text: "That Microsoft account belongs to another directory than the tenant you chose. Nothing was linked." },
};

export default async function SettingsPage({ searchParams }: { searchParams: Promise<{ link?: string }> }) {
  const user = await pageUser();
  const { link } = await searchParams;
  const me = await myAccount(user);
  const notice = link ? LINK_MESSAGES[link] : undefined;
  return (
    <>
      <PageHeader title="Settings" />
      {notice ? (
        <p role={notice.ok ? "status" : "alert"} className={`mb-4 rounded-md border px-3 py-2 text-sm ${notice.ok ? "border-green-200 bg-green-50 text-green-900 dark:border-green-900 dark:bg-green-950 dark:text-green-200" : "border-red-200 bg-red-50 text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"}`}>
          {notice.text}
        </p>
      ) : null}
      <div className="grid gap-4 md:grid-cols-2">
        <Card title="Your account">
          <dl className="grid grid-cols-[8rem_1fr] gap-y-1 text-sm">
            <dt className="text-slate-500">Name</dt>
            <dd>{user.name ?? "—"}</dd>
            <dt className="text-slate-500">Email</dt>
            <dd>{user.email}</dd>
            <dt className="text-slate-500">Role</dt>
            <dd>{user.role}</dd>
            <dt className="text-slate-500">Signs in with</dt>
            <dd data-testid="sign-in-methods">
              {[me.local ? "a local password" : null, me.linked ? `Microsoft (${me.microsoftTenant})` : null].filter(Boolean).join(" and ")}
            </dd>
          </dl>
          {me.local && !me.linked ? (
            <div className="mt-4 border-t border-slate-200 pt-3 dark:border-slate-800">
              <p className="mb-2 text-sm">
                Also sign in with Microsoft: link your Microsoft account by signing in with it now. A Microsoft account is never linked by its email address.
              </p>
              <LinkMicrosoft tenants={await findSignInTenants()} start={startMicrosoftLink} />
            </div>
          ) : null}
        </Card>
        {user.role === "admin" ? (
          <Card title="Users and roles">
            <p className="mb-2 text-sm">Choose who is an admin, a sender or an auditor, and disable accounts.</p>
            <Link href="/settings/users" className="text-sm text-brand-600 underline">
              Manage users
            </Link>
          </Card>
        ) : null}
        {user.role === "admin" ? (
          <Card title="Groups">
            <p className="mb-2 text-sm">Portal groups such as &ldquo;HR team&rdquo;: a sender mailbox granted to a group may be used by each member.</p>
            <Link href="/settings/groups" className="text-sm text-brand-600 underline">
              Manage groups
            </Link>
          </Card>
        ) : null}
        {user.role === "admin" || user.role === "auditor" ? (
          <Card title="Send history retention">
            <p className="mb-2 text-sm">How many days each tenant&apos;s sends are kept, and whether bodies are kept at all.</p>
            <Link href="/settings/retention" className="text-sm text-brand-600 underline">
              Retention settings
            </Link>
          </Card>
        ) : null}
        {user.role === "admin" || user.role === "auditor" ? (
          <Card title="Message size">
            <p className="mb-2 text-sm">The sender mailboxes&apos; message size limit (35 MB unless Exchange was changed), checked on the encoded size.</p>
            <Link href="/settings/message-size" className="text-sm text-brand-600 underline">
              Message size limit
            </Link>
          </Card>
        ) : null}
        {user.role === "admin" || user.role === "auditor" ? (
          <Card title="Credentials">
            <p className="mb-2 text-sm">When each tenant credential, API key and device password expires; warnings by mail; guided rotation.</p>
            <Link href="/settings/credentials" className="text-sm text-brand-600 underline">
              Credential expiry and rotation
            </Link>
          </Card>
        ) : null}
        {user.role === "admin" || user.role === "auditor" ? (
          <Card title="Audit trail">
            <p className="mb-2 text-sm">Who changed what and when, with the values before and after. Read-only, with CSV export.</p>
            <Link href="/audit" className="text-sm text-brand-600 underline">
              Open the audit trail
            </Link>
          </Card>
        ) : null}
      </div>
    </>
  );
}
