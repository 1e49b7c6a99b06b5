import type { Metadata } from "next";
import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { dashboardSummary } from "@/lib/dashboard/summary";

export const metadata: Metadata = { title: "Dashboard" };

const STATUSES = ["accepted", "queued", "sending", "retrying", "failed", "uncertain"] as const;

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ denied?: string }> }) {
  const user = await pageUser();
  const { denied } = await searchParams;
  const s = await dashboardSummary(user);
  return (
    <>
      <PageHeader title="Dashboard" description={`Welcome, ${user.name ?? user.email}.`} />
      {denied ? (
        <p role="alert" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">
          Your role ({user.role}) cannot open that page.
        </p>
      ) : null}
      <div className="grid gap-4 md:grid-cols-3">
        <Card title="SMTP AUTH basic authentication">
          <p className="text-3xl font-semibold">{s.daysToBasicAuthOff} days</p>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            until Exchange Online turns it off by default (end of December 2026). Scripts using Send-MailMessage with a password will get
            <span className="font-mono"> 550 5.7.30</span>.
          </p>
        </Card>
        <Card title="Tenants" actions={user.role === "admin" ? <Link className="text-sm text-brand-600 underline" href="/setup">Manage</Link> : undefined}>
          <p className="text-3xl font-semibold">{s.tenants.length}</p>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{s.tenants.length === 0 ? "No tenant connected yet." : s.tenants.map((t) => t.name).join(", ")}</p>
        </Card>
        <Card title="Sends in the last 24 hours">
          <ul className="flex flex-wrap gap-2 text-sm">
            {STATUSES.map((st) => (
              <li key={st}>
                <Badge tone={st === "accepted" ? "good" : st === "failed" || st === "uncertain" ? "bad" : "neutral"}>
                  {st}: {s.sends24h[st] ?? 0}
                </Badge>
              </li>
            ))}
          </ul>
        </Card>
      </div>
      {user.role === "admin" && s.pendingRequests > 0 ? (
        <Card title="People waiting to get in" className="mt-4">
          <p className="mb-3 text-sm">
            {s.pendingRequests === 1 ? "1 person signed in with Microsoft and waits" : `${s.pendingRequests} people signed in with Microsoft and wait`} for an admin&apos;s approval.
          </p>
          <Link href="/settings/users" className={buttonClass("secondary")}>Review requests</Link>
        </Card>
      ) : null}
      {user.role === "admin" || user.role === "sender" ? (
        <Card title="You may send as" className="mt-4" actions={user.role === "admin" ? <Link className="text-sm text-brand-600 underline" href="/senders">Senders</Link> : undefined}>
          {s.myMailboxes.length > 0 ? (
            <p className="text-sm" data-testid="my-mailboxes">{s.myMailboxes.join(", ")}</p>
          ) : (
            <p className="text-sm">
              No mailbox is granted to you{user.role === "admin" ? ": admins grant mailboxes — to themselves too — on the Senders page." : ". Ask a portal admin for one (you can still send as yourself where your tenant allows it)."}
            </p>
          )}
        </Card>
      ) : null}
      {s.expiring.length > 0 ? (
        <Card title="Credentials expiring within 30 days" className="mt-4">
          <ul className="text-sm">
            {s.expiring.map((t) => (
              <li key={t.id}>
                {user.role === "admin" ? <Link className="text-brand-600 underline" href={`/setup/${t.id}/credential`}>{t.name}</Link> : t.name}: {t.credentialKind} expires {t.credentialExpires?.toISOString().slice(0, 10)}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      {user.role === "admin" && s.tenants.length === 0 ? (
        <Card title="Next step" className="mt-4">
          <p className="mb-3 text-sm">Connect your Microsoft 365 tenant: register the Entra ID app, grant Mail.Send and restrict which mailboxes it may send as.</p>
          <Link href="/setup" className={buttonClass()}>Go to setup</Link>
        </Card>
      ) : null}
    </>
  );
}
