import type { Metadata } from "next";
import Link from "next/link";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button";
import { pageUser } from "@/lib/auth/page-user";
import { listDevices, type DeviceSummary } from "@/lib/devices/list-devices";
import { WEAKNESS_LABELS } from "@/lib/devices/weakness";
import { when } from "@/components/devices/format";

export const metadata: Metadata = { title: "Devices" };

function state(d: DeviceSummary) {
  if (d.revokedAt) return <Badge tone="bad">revoked</Badge>;
  if (!d.lastSeenAt) return <Badge>not seen yet</Badge>;
  return <Badge tone="good">active</Badge>;
}

export default async function DevicesPage() {
  const user = await pageUser(["admin", "auditor"]);
  const devices = await listDevices(user);
  return (
    <>
      <PageHeader
        title="Devices"
        description="Printers, scanners and apps that only speak SMTP send through the portal's relay: each signs in with its own username and password and sends only as the mailboxes granted to it, into the same outbox, history and audit trail."
        actions={
          user.role === "admin" ? (
            <Link href="/devices/new" className={buttonClass()}>
              Add device
            </Link>
          ) : null
        }
      />
      <Card title="Devices">
        {devices.length === 0 ? (
          <p className="text-sm">No devices yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs text-slate-500">
                <tr>
                  <th className="py-1 pr-3">Name</th>
                  <th className="py-1 pr-3">Username</th>
                  <th className="py-1 pr-3">Tenant</th>
                  <th className="py-1 pr-3">May send as</th>
                  <th className="py-1 pr-3">Last seen</th>
                  <th className="py-1 pr-3">Connection</th>
                  <th className="py-1 pr-3">Messages</th>
                  <th className="py-1 pr-3">State</th>
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => (
                  <tr key={d.id} className="border-t border-slate-200 align-top dark:border-slate-800" data-testid={`device-${d.id}`}>
                    <td className="py-2 pr-3 font-medium">
                      <Link href={`/devices/${d.id}`} className="text-brand-600 underline">
                        {d.name}
                      </Link>
                    </td>
                    <td className="py-2 pr-3">
                      <code>{d.username}</code>
                    </td>
                    <td className="py-2 pr-3">{d.tenantName}</td>
                    <td className="py-2 pr-3">{d.mailboxes.join(", ") || "—"}</td>
                    <td className="py-2 pr-3 text-xs">
                      {when(d.lastSeenAt)}
                      {d.lastSeenIp ? ` · from ${d.lastSeenIp}` : ""}
                    </td>
                    <td className="py-2 pr-3 text-xs">
                      {d.lastTlsVersion ?? (d.lastSeenAt ? "no TLS" : "—")}
                      {d.lastAuthMethod ? ` · ${d.lastAuthMethod}` : ""}
                      {d.weaknesses.map((w) => (
                        <span key={w} className="ml-1">
                          <Badge tone="warn">weak: {WEAKNESS_LABELS[w]}</Badge>
                        </span>
                      ))}
                    </td>
                    <td className="py-2 pr-3 text-xs">
                      {d.messageCount} sent · {d.refusedCount} refused
                    </td>
                    <td className="py-2 pr-3">{state(d)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
