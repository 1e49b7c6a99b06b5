import { Badge } from "@/components/ui/card";
import type { MailboxView, RestrictionState } from "@/lib/grants/list-sender-grants";
import { GrantForm, type Choice } from "./grant-form";
import { RemoveMailboxForm } from "./remove-mailbox-form";
import { RevokeButton } from "./revoke-button";

export interface GranteeChoices {
  people: Choice[];
  groups: Choice[];
}

const TONE: Record<RestrictionState, "good" | "warn" | "bad"> = { proved: "good", "not proved": "warn", "outside the restriction": "bad" };

const HELP: Record<RestrictionState, string> = {
  proved: "Exchange lets the app send as this mailbox: the restriction was proved with a test send.",
  "not proved": "Not yet proved with a test send (Setup → Prove it): Exchange may still refuse it.",
  "outside the restriction": "Exchange refuses the app for this mailbox: it is not in the restriction's scope.",
};

const KIND_LABEL = { user: "person", group: "group", apiKey: "API key" } as const;

interface Props {
  tenant: { id: string; name: string };
  mailboxes: MailboxView[];
  /** Null for read-only viewers (auditors). */
  choices: GranteeChoices | null;
  searched: boolean;
}

/** Mailbox × who may use it, with Exchange's restriction state beside each mailbox. */
export function MailboxTable({ tenant, mailboxes, choices, searched }: Props) {
  if (mailboxes.length === 0) {
    return (
      <p className="text-sm">
        {searched ? "No mailbox or grantee matches the search." : `${tenant.name} has no sender mailboxes yet.${choices ? " Add one below." : ""}`}
      </p>
    );
  }
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Sender mailboxes of {tenant.name} and who may send as each</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <th scope="col" className="pb-2 pr-4">Mailbox</th>
            <th scope="col" className="pb-2 pr-4">Exchange restriction</th>
            <th scope="col" className="pb-2 pr-4">Who may send as it</th>
            {choices ? <th scope="col" className="pb-2">Grant</th> : null}
          </tr>
        </thead>
        <tbody>
          {mailboxes.map((m) => (
            <tr key={m.id} data-testid="mailbox-row" className="border-t border-slate-200 align-top dark:border-slate-800">
              <th scope="row" className="py-3 pr-4 font-normal">
                <div className="whitespace-nowrap font-medium">{m.address}</div>
                <div className="text-xs text-slate-500">
                  {m.displayName ? `${m.displayName} · ` : ""}
                  {m.kind} mailbox
                </div>
                {choices ? <RemoveMailboxForm tenantId={tenant.id} mailboxId={m.id} address={m.address} grantCount={m.grants.length} /> : null}
              </th>
              <td className="py-3 pr-4">
                <Badge tone={TONE[m.restriction]}>{m.restriction}</Badge>
                <p className="mt-1 max-w-56 text-xs text-slate-500">
                  {HELP[m.restriction]}
                  {m.lastCheckedAt ? ` Checked ${m.lastCheckedAt.toISOString().slice(0, 16).replace("T", " ")} UTC.` : ""}
                </p>
              </td>
              <td className="py-3 pr-4">
                {m.grants.length === 0 ? (
                  <p className="text-slate-500">{searched ? "No matching grant." : "Nobody yet."}</p>
                ) : (
                  <ul className="space-y-1" aria-label={`Who may send as ${m.address}`}>
                    {m.grants.map((g) => (
                      <li key={g.id} className="flex flex-wrap items-center gap-2">
                        <span className="font-medium">{g.name}</span>
                        {g.email && g.email !== g.name ? <span className="text-xs text-slate-500">{g.email}</span> : null}
                        <Badge>
                          {KIND_LABEL[g.kind]}
                          {g.memberCount !== null ? `, ${g.memberCount} ${g.memberCount === 1 ? "member" : "members"}` : ""}
                        </Badge>
                        {g.disabled ? <Badge tone="warn">disabled: sends nothing</Badge> : null}
                        {choices ? <RevokeButton tenantId={tenant.id} grantId={g.id} label={`Remove ${g.name} from ${m.address}`} /> : null}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              {choices ? (
                <td className="py-3">
                  <GrantForm tenantId={tenant.id} mailboxId={m.id} address={m.address} people={choices.people} groups={choices.groups} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
