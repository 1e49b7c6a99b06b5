import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { listRetention } from "@/lib/history/list-retention";
import { RetentionForm } from "./retention-form";

export const metadata: Metadata = { title: "Retention" };

export default async function RetentionPage() {
  const user = await pageUser(["admin", "auditor"]);
  const tenants = await listRetention(user);
  return (
    <>
      <p className="mb-2 text-sm"><Link href="/settings" className="text-brand-600 underline">← Settings</Link></p>
      <PageHeader
        title="Retention"
        description="How long each tenant's send history is kept in this portal's database, and whether message bodies are kept at all. The purge runs when the portal starts and every hour; changes are audited."
      />
      {tenants.length === 0 ? <Card><p className="text-sm">No tenant is connected yet.</p></Card> : null}
      <div className="grid gap-4 md:grid-cols-2">
        {tenants.map((t) => (
          <Card key={t.id} title={t.name}>
            <p className="mb-3 text-xs text-slate-500">
              {t.sendCount.toLocaleString("en-US")} sends stored ·{" "}
              {t.lastPurge
                ? `last purge ${t.lastPurge.at.toISOString().slice(0, 16).replace("T", " ")} UTC removed ${t.lastPurge.deleted.toLocaleString("en-US")} and cleared ${t.lastPurge.stripped.toLocaleString("en-US")} bodies`
                : "nothing purged yet"}
            </p>
            {user.role === "admin" ? (
              <RetentionForm tenant={t} />
            ) : (
              <dl className="grid grid-cols-[10rem_1fr] text-sm">
                <dt className="text-slate-500">Keep sends for</dt>
                <dd>{t.retentionDays} days</dd>
                <dt className="text-slate-500">Metadata only</dt>
                <dd>{t.metadataOnly ? "yes" : "no"}</dd>
              </dl>
            )}
          </Card>
        ))}
      </div>
    </>
  );
}
