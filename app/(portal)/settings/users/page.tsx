import type { Metadata } from "next";
import Link from "next/link";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { listAdmission } from "@/lib/admission/list-admission";
import { listUsers } from "@/lib/users/list-users";
import { AdmissionSection } from "./admission-section";
import { UserRow } from "./user-row";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const user = await pageUser(["admin"]);
  const [users, admission] = await Promise.all([listUsers(user), listAdmission(user)]);
  const firstWaiting = admission.tenants.find((t) => t.pending.length > 0);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/settings" className="text-brand-600 underline">
          ← Settings
        </Link>
      </p>
      <PageHeader
        title="Users"
        description={
          <>
            A first Microsoft sign-in gives no role by itself: per tenant, people get in by an admin&apos;s invitation, by an
            admin&apos;s approval of their request, or automatically with a chosen role. Admins manage tenants and keys, senders
            send mail, auditors read logs and change nothing. Every change is audited.
          </>
        }
        actions={
          firstWaiting ? (
            <a href={`#requests-${firstWaiting.id}`} className="rounded-md focus-visible:outline-2">
              <Badge tone="warn">
                {admission.pendingCount} {admission.pendingCount === 1 ? "request" : "requests"} waiting for approval
              </Badge>
            </a>
          ) : null
        }
      />
      <Card>
        {/* A phone shows each user as a stacked card (the cells carry their own labels there); wider screens a table. */}
        <table className="w-full text-left max-md:block">
          <caption className="sr-only">Portal users</caption>
          <thead className="text-xs uppercase text-slate-500 max-md:hidden">
            <tr>
              <th className="pb-2">User</th>
              <th className="pb-2">Signs in with</th>
              <th className="pb-2">Last sign-in</th>
              <th className="pb-2">Role</th>
              <th className="pb-2">
                <span className="sr-only">Enable or disable</span>
              </th>
            </tr>
          </thead>
          <tbody className="max-md:block">
            {users.map((u) => (
              <UserRow
                key={u.id}
                user={{
                  id: u.id,
                  email: u.email,
                  name: u.name,
                  role: u.role,
                  disabled: u.disabled,
                  lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
                  via: u.entraObjectId ? `Microsoft (${u.tenant?.name ?? "tenant removed"})` : "local account",
                }}
              />
            ))}
          </tbody>
        </table>
      </Card>
      <h2 className="mb-1 mt-10 text-xl font-semibold tracking-tight">Who gets in</h2>
      <p className="mb-4 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Per tenant: how people who sign in with Microsoft are admitted, who is invited, and who waits for a decision. A Microsoft
        account is recognised by its directory and object id, never by its email address.
      </p>
      {admission.tenants.length === 0 ? (
        <Card>
          <p className="text-sm">No tenant offers Microsoft sign-in yet (it needs an app registration with a client secret): people sign in with local accounts only.</p>
        </Card>
      ) : null}
      <div className="space-y-10">
        {admission.tenants.map((t) => (
          <AdmissionSection key={t.id} tenant={t} />
        ))}
      </div>
    </>
  );
}
