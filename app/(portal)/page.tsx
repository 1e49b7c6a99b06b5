import type { Metadata } from "next";
import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { CredentialExpiryCard } from "@/components/credentials/expiry-card";
import { MailboxUse } from "@/components/dashboard/mailbox-use";
import { NeedsAction } from "@/components/dashboard/needs-action";
import { TenantAttention } from "@/components/dashboard/tenant-attention";
import { DailyChart } from "@/components/history/daily-chart";
import { pageUser } from "@/lib/auth/page-user";
import { dashboardSummary } from "@/lib/dashboard/summary";
import { STATUS_LABELS } from "@/lib/glossary";
import { EXCHANGE_LIMITS } from "@/lib/schemas/common";

export const metadata: Metadata = { title: "Dashboard" };

function versus(today: number, before: number): string {
  if (before === 0) return today === 0 ? "none by this time yesterday either" : "none by this time yesterday";
  const d = today - before;
  return `${d === 0 ? "same as" : d > 0 ? `${d} more than` : `${-d} fewer than`} by this time yesterday (${before.toLocaleString("en-US")})`;
}

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ denied?: string }> }) {
  const user = await pageUser();
  const { denied } = await searchParams;
  const s = await dashboardSummary(user);
  const next = s.next;
  const own = user.role === "sender";
  const today = new Date().toISOString().slice(0, 10);
  const c = s.counts;
  return (
    <>
      <PageHeader
        title="Dashboard"
        description={own ? "Is your mail flowing? Your sends only." : "Is mail flowing? Today's sends, what needs action, and each mailbox against Exchange's limits."}
      />
      {/* The one primary action: what to do next and why (lib/dashboard/next-step.ts), even in demo mode. */}
      <section aria-labelledby="next-step-heading" data-testid="next-step" className="mb-4 flex flex-wrap items-center justify-between gap-3 rounded-card border border-line bg-primary-soft p-4">
        <div className="min-w-0">
          <h2 id="next-step-heading" className="text-sm font-semibold uppercase tracking-wide text-primary-soft-fg">Next step</h2>
          <p className="mt-1 break-words text-sm text-primary-soft-fg">{next.reason}</p>
        </div>
        <Link href={next.href} className={buttonClass()}>{next.action}</Link>
      </section>
      {denied ? (
        <p role="alert" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">
          Your role ({user.role}) cannot open that page.
        </p>
      ) : null}

      <div className="grid gap-4 md:grid-cols-2">
        <Card title="Sends today" className="h-full" actions={<Link className="text-sm text-brand-600 underline" href={`/history?from=${today}`}>See them</Link>}>
          <p className="text-3xl font-semibold tabular-nums" data-testid="sends-today">{c.today.toLocaleString("en-US")}</p>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400" data-testid="sends-versus">{versus(c.today, c.yesterdaySoFar)}; {c.yesterday.toLocaleString("en-US")} all day yesterday.</p>
          <p className="mt-2 text-sm">
            {c.acceptedToday.toLocaleString("en-US")} {STATUS_LABELS.accepted.toLowerCase()}
            {c.inProgressToday > 0 ? ` · ${c.inProgressToday.toLocaleString("en-US")} in the outbox` : ""}
          </p>
        </Card>
        <NeedsAction counts={c} deadLetters={user.role === "admin"} />
      </div>

      <div className="mt-4 grid gap-4 lg:grid-cols-[3fr_2fr]">
        <Card title={`Sends per day, last ${s.bars.length} days`} actions={<Link className="text-sm text-brand-600 underline" href="/history">All sends</Link>}>
          <DailyChart bars={s.bars} />
        </Card>
        <Card title={own ? "Your use of each mailbox, last 24 hours" : "Mailbox use, last 24 hours"}>
          <p className="mb-3 text-xs text-slate-600 dark:text-slate-400">
            Exchange Online allows each mailbox {EXCHANGE_LIMITS.messagesPerMinute} messages a minute and {EXCHANGE_LIMITS.recipientsPerDay.toLocaleString("en-US")} recipients a day; the outbox paces sends to stay within them.
          </p>
          <MailboxUse rows={s.quota} limits={EXCHANGE_LIMITS} own={own} />
        </Card>
      </div>

      {s.attention.length > 0 ? (
        <Card title="Tenants needing attention" className="mt-4">
          <TenantAttention items={s.attention} canAct={user.role === "admin"} />
        </Card>
      ) : null}
      <CredentialExpiryCard user={user} />

      {user.role === "admin" && s.pendingRequests > 0 ? (
        <Card title="People waiting to get in" className="mt-4">
          <p className="text-sm">
            {s.pendingRequests === 1 ? "1 person signed in with Microsoft and waits" : `${s.pendingRequests} people signed in with Microsoft and wait`} for an admin&apos;s approval.{" "}
            <Link href="/settings/users" className="text-brand-600 underline">Review requests</Link>
          </p>
        </Card>
      ) : null}

      <div className="mt-4 grid gap-4 md:grid-cols-2">
        {s.canSend ? (
          <Card title="You may send as" actions={user.role === "admin" ? <Link className="text-sm text-brand-600 underline" href="/senders">Senders</Link> : undefined}>
            {s.myMailboxes.length > 0 ? (
              <p className="text-sm" data-testid="my-mailboxes">{s.myMailboxes.join(", ")}</p>
            ) : (
              <p className="text-sm">
                No mailbox is granted to you{user.role === "admin" ? ": admins grant mailboxes — to themselves too — on the Senders page." : ". Ask a portal admin for one (you can still send as yourself where your tenant allows it)."}
              </p>
            )}
          </Card>
        ) : null}
        <Card title="SMTP AUTH basic authentication">
          <p className="text-sm">
            <span className="font-semibold">{s.daysToBasicAuthOff} days</span> until Exchange Online turns it off by default (end of December 2026). Scripts using
            Send-MailMessage with a password will get <span className="font-mono">550 5.7.30</span>.
          </p>
        </Card>
      </div>
    </>
  );
}
