import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { listSenderGrants } from "@/lib/grants/list-sender-grants";
import { listGroups } from "@/lib/groups/list-groups";
import { paramsRecord } from "@/lib/schemas/history";
import { listTenants } from "@/lib/tenants/list-tenants";
import { AddMailboxForm } from "./add-mailbox-form";
import { MailboxTable, type GranteeChoices } from "./mailbox-table";
import { SenderFilter } from "./sender-filter";

export const metadata: Metadata = { title: "Senders" };

const querySchema = z.object({
  tenant: z.string().max(64).optional(),
  q: z.string().trim().max(200, "Search for at most 200 characters").optional(),
});

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SendersPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await pageUser(["admin", "auditor"]);
  const raw = paramsRecord(await searchParams);
  const parsed = querySchema.safeParse(raw);
  const query = parsed.success ? parsed.data : {};
  const qError = parsed.success ? undefined : parsed.error.issues.find((i) => i.path[0] === "q")?.message;

  const tenants = await listTenants(user);
  const asked = query.tenant ? tenants.find((t) => t.id === query.tenant) : undefined;
  const tenant = asked ?? tenants.find((t) => t.senderCount > 0) ?? tenants[0];
  const editable = user.role === "admin";

  const [mailboxes, choices] = tenant
    ? await Promise.all([listSenderGrants(user, { tenantId: tenant.id, q: query.q }), editable ? granteeChoices(user) : null])
    : [[], null];

  return (
    <>
      <PageHeader
        title="Senders"
        description={
          <>
            Who may send as which mailbox. Exchange restricts the app to some mailboxes (the restriction you prove in Setup); this
            page restricts people. Nobody is granted anything by default, admins included; a grant to a group applies to each
            member.{editable ? "" : " You can read this page; admins change it."}
          </>
        }
      />
      {tenants.length === 0 ? (
        <Card>
          <p className="text-sm">
            No tenant is connected yet.{" "}
            {editable ? (
              <Link href="/setup" className="text-brand-600 underline">
                Connect one in Setup.
              </Link>
            ) : null}
          </p>
        </Card>
      ) : null}
      {tenant ? (
        <>
          <Card className="mb-4">
            <SenderFilter tenants={tenants.map((t) => ({ id: t.id, name: t.name }))} tenantId={tenant.id} q={raw.q ?? ""} qError={qError} />
            {query.tenant && !asked ? (
              <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-300">
                That tenant was not found; showing {tenant.name}.
              </p>
            ) : null}
          </Card>
          <Card title={`Sender mailboxes of ${tenant.name}`} className="mb-4">
            <MailboxTable tenant={{ id: tenant.id, name: tenant.name }} mailboxes={mailboxes} choices={choices} searched={Boolean(query.q)} />
          </Card>
          {editable ? (
            <Card title="Add a sender mailbox">
              <AddMailboxForm tenantId={tenant.id} tenantName={tenant.name} />
            </Card>
          ) : null}
        </>
      ) : null}
    </>
  );
}

/** What the grant forms offer: enabled admins and senders (auditors cannot send), and every group. */
async function granteeChoices(user: Awaited<ReturnType<typeof pageUser>>): Promise<GranteeChoices> {
  const { groups, people } = await listGroups(user);
  return {
    people: people
      .filter((p) => !p.disabled && p.role !== "auditor")
      .map((p) => ({ value: `user:${p.id}`, label: p.name ? `${p.name} (${p.email})` : p.email })),
    groups: groups.map((g) => ({ value: `group:${g.id}`, label: `${g.name} (group, ${g.members.length} ${g.members.length === 1 ? "member" : "members"})` })),
  };
}
