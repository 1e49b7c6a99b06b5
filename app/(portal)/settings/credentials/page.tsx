import type { Metadata } from "next";
import Link from "next/link";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { describeDays, type ExpiryState } from "@/lib/credentials/expiry";
import { listCredentials } from "@/lib/credentials/list-credentials";
import { loadAlertSetting } from "@/lib/credentials/load-alert-setting";
import { AlertSenderForm } from "./forms";

export const metadata: Metadata = { title: "Credentials" };

const STATE_TONE: Record<ExpiryState, "good" | "warn" | "bad" | "neutral"> = { ok: "good", warning: "warn", critical: "bad", expired: "bad", "no-expiry": "neutral" };
const day = (d: Date | null) => d?.toISOString().slice(0, 10) ?? "—";

export default async function CredentialsPage() {
  const user = await pageUser(["admin", "auditor"]);
  const [{ now, rows }, alert] = await Promise.all([listCredentials(user), loadAlertSetting(user)]);
  return (
    <>
      <p className="mb-2 text-sm"><Link href="/settings" className="text-brand-600 underline">← Settings</Link></p>
      <PageHeader
        title="Credentials"
        description={`Every credential the portal depends on or hands out, soonest expiry first (as of ${now.toISOString().slice(0, 16).replace("T", " ")} UTC). Admins are mailed at 30, 14, 7 and 1 days before each expires.`}
      />
      <Card title="Expiry">
        {rows.length === 0 ? <p className="text-sm">No credential yet.</p> : (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Credentials and their expiry</caption>
            <thead><tr className="text-slate-500"><th scope="col">Credential</th><th scope="col">Tenant</th><th scope="col">Expires</th><th scope="col">Days left</th><th scope="col">State</th><th scope="col"><span className="sr-only">Action</span></th></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.type}:${r.id}`} className="border-t border-slate-200 dark:border-slate-800" data-testid={`credential-${r.type}-${r.id}`}>
                  <td className="py-1">{r.name}</td>
                  <td>{r.tenantName}</td>
                  <td>{day(r.expiresAt)}</td>
                  <td>{describeDays(r.daysLeft)}</td>
                  <td><Badge tone={STATE_TONE[r.state]}>{r.state}</Badge></td>
                  <td>{r.type === "tenant" ? <Link className="text-brand-600 underline" href={r.href}>{user.role === "admin" ? "Rotate" : "Details"}<span className="sr-only"> the credential of {r.tenantName}</span></Link> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="Warning mail" className="mt-4">
        <p className="mb-3 text-sm">
          {alert.setting
            ? <>Warnings are mailed from <strong>{alert.setting.fromAddress}</strong> as sends of {alert.setting.configuredBy} (History and the audit trail show them).</>
            : "No mailbox is chosen: warnings show here and on the dashboard, but nobody is mailed."}
        </p>
        {user.role === "admin" ? <AlertSenderForm tenants={alert.tenants} current={alert.setting ? { tenantId: alert.setting.tenantId, fromAddress: alert.setting.fromAddress } : null} /> : null}
        {alert.recent.length > 0 ? (
          <>
            <h3 className="mt-4 text-sm font-semibold">Last warnings mailed</h3>
            <ul className="text-sm">
              {alert.recent.map((w) => <li key={w.id}>{w.sentAt.toISOString().slice(0, 16).replace("T", " ")} UTC · {w.threshold}-day warning{w.sendId ? <> · <Link className="text-brand-600 underline" href={`/history/${w.sendId}`}>the send</Link></> : null}</li>)}
            </ul>
          </>
        ) : null}
      </Card>
    </>
  );
}
