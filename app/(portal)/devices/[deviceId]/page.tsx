import { existsSync } from "node:fs";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { ConnectionCard } from "@/components/devices/connection-card";
import { when } from "@/components/devices/format";
import { pageUser } from "@/lib/auth/page-user";
import { AppError } from "@/lib/errors";
import { deviceView } from "@/lib/devices/device-view";
import { deviceFormOptions } from "@/lib/devices/device-form-options";
import { WEAKNESS_LABELS } from "@/lib/devices/weakness";
import { FROM_POLICY_LABELS } from "@/lib/schemas/device";
import { STATUS_LABELS, type SEND_STATUSES } from "@/lib/schemas/history";
import { relayInfo } from "@/lib/smtp/relay-info";
import { DeviceActions } from "./device-actions";
import { EditDevice } from "./edit-device";

export const metadata: Metadata = { title: "Device" };

export default async function DevicePage({ params }: { params: Promise<{ deviceId: string }> }) {
  const user = await pageUser(["admin", "auditor"]);
  const { deviceId } = await params;
  const d = await deviceView(user, deviceId).catch((err: unknown) => {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  });
  const relay = relayInfo();
  const admin = user.role === "admin" && !d.revokedAt;
  const tenants = admin ? (await deviceFormOptions(user)).filter((t) => t.id === d.tenantId) : [];
  const defaultMailboxId = d.defaultFrom ? (tenants[0]?.mailboxes.find((m) => m.address === d.defaultFrom)?.id ?? "") : "";
  const history = `/history?device=${encodeURIComponent(d.id)}`;
  return (
    <>
      <PageHeader
        title={d.name}
        description={
          <>
            SMTP device of {d.tenantName} · <Link href="/devices" className="text-brand-600 underline">all devices</Link>
          </>
        }
        actions={d.revokedAt ? <Badge tone="bad">revoked {when(d.revokedAt)}</Badge> : null}
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Status">
          <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[10rem_1fr]">
            <dt className="font-medium">Username</dt>
            <dd>
              <code>{d.username}</code>
            </dd>
            <dt className="font-medium">Last seen</dt>
            <dd>
              {when(d.lastSeenAt)}
              {d.lastSeenIp ? ` from ${d.lastSeenIp}` : ""}
            </dd>
            <dt className="font-medium">Last connection</dt>
            <dd>
              {d.lastSeenAt ? `${d.lastTlsVersion ?? "no TLS"}${d.lastAuthMethod ? ` · AUTH ${d.lastAuthMethod}` : ""}` : "—"}
              {d.weaknesses.map((w) => (
                <span key={w} className="ml-1">
                  <Badge tone="warn">weak: {WEAKNESS_LABELS[w]}</Badge>
                </span>
              ))}
            </dd>
            <dt className="font-medium">Messages</dt>
            <dd>
              {d.messageCount} accepted · {d.refusedCount} refused
            </dd>
            <dt className="font-medium">May send as</dt>
            <dd>{d.mailboxes.join(", ") || "—"}</dd>
            <dt className="font-medium">Default mailbox</dt>
            <dd>{d.defaultFrom ?? "none"}</dd>
            <dt className="font-medium">From not granted</dt>
            <dd>{FROM_POLICY_LABELS[d.fromPolicy]}</dd>
            <dt className="font-medium">Allowed addresses</dt>
            <dd>{d.allowedIps.join(", ") || "any"}</dd>
            <dt className="font-medium">Limits</dt>
            <dd>
              {d.ratePerMinute}/min{d.maxMessageBytes ? ` · ≤ ${Math.round(d.maxMessageBytes / 1024 / 1024)} MB` : ""} · Sent Items: {d.saveToSent ? "yes" : "no"}
            </dd>
            <dt className="font-medium">Password set</dt>
            <dd>{d.ipOnly ? "IP-only: no password" : when(d.passwordSetAt)}</dd>
          </dl>
          {d.allowPlaintext ? (
            <p role="note" className="mt-3 rounded bg-amber-50 p-2 text-xs text-amber-800 dark:bg-amber-950 dark:text-amber-200">
              Plain-text AUTH is allowed for this device (from its listed addresses): its password can cross the network unencrypted.
            </p>
          ) : null}
        </Card>
        <Card>
          <ConnectionCard
            s={{
              deviceName: d.name,
              username: d.username,
              host: relay.hostname,
              port: relay.port,
              implicitTlsPort: relay.implicitTlsPort,
              minTls: relay.minTls,
              caDownload: relay.certificate.kind === "generated",
              caReady: relay.certificate.kind === "generated" && existsSync(relay.certificate.caFile),
              ipOnly: d.ipOnly,
              allowPlaintext: d.allowPlaintext,
              from: d.defaultFrom,
            }}
          />
          {!relay.enabled ? <p className="mt-2 text-xs text-amber-700">The SMTP relay is turned off on this portal (PORTAL_SMTP_PORT=0).</p> : null}
        </Card>
      </div>
      {admin ? (
        <Card title="Test, rotate, revoke" className="mt-4">
          <DeviceActions deviceId={d.id} name={d.name} ipOnly={d.ipOnly} defaultTo={user.email} />
        </Card>
      ) : null}
      <Card title="Recent messages" className="mt-4" actions={<Link href={history} className="text-sm text-brand-600 underline">All of this device&apos;s messages in History</Link>}>
        {d.recentSends.length === 0 ? (
          <p className="text-sm">No messages from this device yet.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-xs text-slate-500">
              <tr>
                <th className="py-1 pr-3">When</th>
                <th className="py-1 pr-3">From</th>
                <th className="py-1 pr-3">Subject</th>
                <th className="py-1 pr-3">Status</th>
              </tr>
            </thead>
            <tbody>
              {d.recentSends.map((s) => (
                <tr key={s.id} className="border-t border-slate-200 dark:border-slate-800">
                  <td className="py-1 pr-3 text-xs">{when(s.createdAt)}</td>
                  <td className="py-1 pr-3">{s.fromAddress}</td>
                  <td className="py-1 pr-3">
                    <Link href={`/history/${s.id}`} className="text-brand-600 underline">
                      {s.subject || "(no subject)"}
                    </Link>
                  </td>
                  <td className="py-1 pr-3">{STATUS_LABELS[s.status as (typeof SEND_STATUSES)[number]] ?? s.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {admin && tenants[0] ? (
        <Card title="Edit device" className="mt-4">
          <EditDevice
            tenants={tenants}
            username={d.username}
            device={{
              deviceId: d.id,
              tenantId: d.tenantId,
              name: d.name,
              mailboxIds: d.grantedMailboxIds,
              defaultMailboxId,
              fromPolicy: d.fromPolicy,
              allowedIps: d.allowedIps.join("\n"),
              ipOnly: d.ipOnly,
              allowPlaintext: d.allowPlaintext,
              maxMessageMb: d.maxMessageBytes ? String(Math.round(d.maxMessageBytes / 1024 / 1024)) : "",
              ratePerMinute: String(d.ratePerMinute),
              saveToSent: d.saveToSent,
            }}
          />
        </Card>
      ) : null}
    </>
  );
}
