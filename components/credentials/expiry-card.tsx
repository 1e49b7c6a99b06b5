import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import type { SessionUser } from "@/lib/auth/session";
import { describeDays } from "@/lib/credentials/expiry";
import { listCredentials } from "@/lib/credentials/list-credentials";

/** The dashboard's credential-expiry card (admins and auditors): what expires within 30 days, linking to its rotation. */
export async function CredentialExpiryCard({ user }: { user: SessionUser }) {
  if (user.role !== "admin" && user.role !== "auditor") return null;
  const { rows } = await listCredentials(user);
  const soon = rows.filter((r) => r.state === "warning" || r.state === "critical" || r.state === "expired");
  if (soon.length === 0) return null;
  return (
    <Card title="Credentials expiring" className="mt-4">
      <ul className="mb-3 space-y-1 text-sm" data-testid="credential-expiry-card">
        {soon.map((r) => (
          <li key={`${r.type}:${r.id}`}>
            <Badge tone={r.state === "warning" ? "warn" : "bad"}>{describeDays(r.daysLeft)}</Badge> {r.name} of {r.tenantName}{" "}
            {r.type === "tenant" ? <Link className="text-brand-600 underline" href={r.href}>{user.role === "admin" ? "Rotate it" : "Details"}<span className="sr-only"> ({r.tenantName})</span></Link> : null}
          </li>
        ))}
      </ul>
      <Link href="/settings/credentials" className={buttonClass("secondary")}>All credentials</Link>
    </Card>
  );
}
