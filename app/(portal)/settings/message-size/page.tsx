import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { listMessageSize } from "@/lib/tenants/list-message-size";
import { SizeForm } from "./size-form";

export const metadata: Metadata = { title: "Message size" };

export default async function MessageSizePage() {
  const user = await pageUser(["admin", "auditor"]);
  const tenants = await listMessageSize(user);
  return (
    <>
      <p className="mb-2 text-sm"><Link href="/settings" className="text-brand-600 underline">← Settings</Link></p>
      <PageHeader
        title="Message size"
        description="Exchange refuses a message larger than the sender mailbox's MaxSendSize, measured after encoding: attachments grow by about a third. Microsoft Graph does not tell the portal a mailbox's limit, so set here what your Exchange admin configured; Compose warns and the portal refuses messages whose encoded size is over it, before anything is uploaded."
      />
      {tenants.length === 0 ? <Card><p className="text-sm">No tenant is connected yet.</p></Card> : null}
      <div className="grid gap-4 md:grid-cols-2">
        {tenants.map((t) => (
          <Card key={t.id} title={t.name}>
            {user.role === "admin" ? (
              <SizeForm tenant={t} />
            ) : (
              <dl className="grid grid-cols-[12rem_1fr] text-sm">
                <dt className="text-slate-500">Message size limit</dt>
                <dd>{Math.round(t.maxSendSizeBytes / 1024 / 1024)} MB</dd>
              </dl>
            )}
          </Card>
        ))}
      </div>
    </>
  );
}
