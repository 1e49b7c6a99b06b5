import type { Metadata } from "next";
import Link from "next/link";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { listGroups } from "@/lib/groups/list-groups";
import { AddMemberForm } from "./add-member-form";
import { CreateGroupForm } from "./create-group-form";
import { DeleteGroupForm } from "./delete-group-form";
import { RemoveMemberButton } from "./remove-member-button";

export const metadata: Metadata = { title: "Groups" };

export default async function GroupsPage() {
  const user = await pageUser(["admin"]);
  const { groups, people } = await listGroups(user);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/settings" className="text-brand-600 underline">
          ← Settings
        </Link>
      </p>
      <PageHeader
        title="Groups"
        description={
          <>
            Portal groups such as &ldquo;HR team&rdquo;: a mailbox granted to a group on the{" "}
            <Link href="/senders" className="text-brand-600 underline">
              Senders
            </Link>{" "}
            page may be used by each member. A disabled member keeps the membership but sends nothing while disabled.
          </>
        }
      />
      <Card title="New group" className="mb-4">
        <CreateGroupForm />
      </Card>
      {groups.length === 0 ? (
        <Card>
          <p className="text-sm">No groups yet.</p>
        </Card>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-2">
        {groups.map((g) => {
          const memberIds = new Set(g.members.map((m) => m.id));
          const candidates = people
            .filter((p) => !memberIds.has(p.id) && p.role !== "auditor")
            .map((p) => ({ value: p.id, label: `${p.name ? `${p.name} (${p.email})` : p.email}${p.disabled ? " (disabled)" : ""}` }));
          return (
            <Card key={g.id} title={g.name} actions={<DeleteGroupForm groupId={g.id} name={g.name} />}>
              {g.description ? <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">{g.description}</p> : null}
              <h3 className="mb-1 text-sm font-medium">Members</h3>
              {g.members.length === 0 ? (
                <p className="mb-3 text-sm text-slate-500">No members yet.</p>
              ) : (
                <ul className="mb-3 space-y-1 text-sm" aria-label={`Members of ${g.name}`}>
                  {g.members.map((m) => (
                    <li key={m.id} className="flex flex-wrap items-center gap-2">
                      <span className="font-medium">{m.name ?? m.email}</span>
                      {m.name ? <span className="text-xs text-slate-500">{m.email}</span> : null}
                      {m.disabled ? <Badge tone="warn">disabled: sends nothing</Badge> : null}
                      <RemoveMemberButton groupId={g.id} userId={m.id} label={`Remove ${m.name ?? m.email} from ${g.name}`} />
                    </li>
                  ))}
                </ul>
              )}
              <AddMemberForm groupId={g.id} groupName={g.name} candidates={candidates} />
              <h3 className="mb-1 mt-4 text-sm font-medium">May send as</h3>
              {g.mailboxes.length === 0 ? (
                <p className="text-sm text-slate-500">
                  No mailbox yet: grant one on the{" "}
                  <Link href="/senders" className="text-brand-600 underline">
                    Senders
                  </Link>{" "}
                  page.
                </p>
              ) : (
                <ul className="text-sm">
                  {g.mailboxes.map((x) => (
                    <li key={`${x.tenantName}:${x.address}`}>
                      {x.address} <span className="text-xs text-slate-500">({x.tenantName})</span>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
          );
        })}
      </div>
    </>
  );
}
