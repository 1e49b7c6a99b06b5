import { Card } from "@/components/ui/card";
import type { TenantAdmission } from "@/lib/admission/list-admission";
import { ADMISSION_LABELS } from "@/lib/admission/schemas";
import { AdmissionForm } from "./admission-form";
import { InvitationList } from "./invitation-list";
import { InviteForm } from "./invite-form";
import { RequestList } from "./request-list";

/** Dates as UTC text made on the server, so the page reads the same everywhere and hydrates cleanly. */
const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
const day = (d: Date) => d.toISOString().slice(0, 10);

function invitationWhen(i: TenantAdmission["invitations"][number]): string {
  if (i.status === "accepted" && i.acceptedAt) return `accepted ${day(i.acceptedAt)}`;
  return i.status === "open" ? `invited ${day(i.createdAt)}, open until ${day(i.expiresAt)}` : `expired ${day(i.expiresAt)}`;
}

/** One tenant's admission: the mode, invitations, and Microsoft sign-ins waiting for a decision. */
export function AdmissionSection({ tenant: t }: { tenant: TenantAdmission }) {
  const headingId = `tenant-admission-${t.id}`;
  return (
    <section aria-labelledby={headingId} className="space-y-4">
      <h3 id={headingId} className="text-lg font-semibold">
        {t.name}
      </h3>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <h4 className="mb-1 text-base font-semibold">Admission</h4>
          <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
            Now: <span className="font-medium">{ADMISSION_LABELS[t.admission].toLowerCase()}</span>
            {t.admission === "automatic" ? ` as ${t.admissionRole}` : ""}. An invitation admits its person in every mode.
          </p>
          <AdmissionForm tenant={t} />
        </Card>
        <Card>
          <h4 className="mb-3 text-base font-semibold">Invite</h4>
          <InviteForm tenant={t} />
          <h5 className="mb-1 mt-5 text-sm font-semibold">Invitations</h5>
          <InvitationList
            tenantName={t.name}
            invitations={t.invitations.map((i) => ({ id: i.id, email: i.email, role: i.role, status: i.status, when: invitationWhen(i) }))}
          />
        </Card>
      </div>
      <Card>
        <h4 id={`requests-${t.id}`} className="mb-1 text-base font-semibold">
          Requests waiting for approval{t.pending.length > 0 ? ` (${t.pending.length})` : ""}
        </h4>
        {t.pending.length === 0 ? (
          <p className="text-sm text-slate-500">
            {t.admission === "approval" ? "No one is waiting." : "No one is waiting. Requests appear here while admission is by approval."}
          </p>
        ) : null}
        <RequestList
          labelledBy={`requests-${t.id}`}
          defaultRole={t.admissionRole}
          requests={t.pending.map((r) => ({ id: r.id, email: r.email, name: r.name, requested: `asked ${utc(r.requestedAt)}, last tried ${utc(r.lastTriedAt)}` }))}
        />
        {t.decided.length > 0 ? (
          <>
            <h5 className="mb-1 mt-4 text-sm font-semibold">Recently decided</h5>
            <ul className="space-y-1 text-sm">
              {t.decided.map((r) => (
                <li key={r.id}>
                  <span className="font-medium">{r.email}</span>:{" "}
                  {r.status === "approved" ? `approved as ${r.role ?? "?"}` : "declined"} by {r.decidedBy ?? "—"}
                  {r.decidedAt ? `, ${utc(r.decidedAt)}` : ""}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </Card>
    </section>
  );
}
