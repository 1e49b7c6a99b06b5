import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/card";
import { ComposeForm } from "@/components/compose/compose-form";
import { pageUser } from "@/lib/auth/page-user";
import { composeOptions } from "@/lib/sends/compose-options";

export const metadata: Metadata = { title: "Compose" };

/**
 * `?tenant=<id>&from=<address>` opens Compose on that sender (the setup wizard's "send as them" does). Only
 * a sender the page already offers this person is taken; anything else is ignored and the first one shows.
 */
export default async function ComposePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await pageUser(["admin", "sender"]);
  const tenants = await composeOptions(user);
  const q = await searchParams;
  const want = { tenant: typeof q.tenant === "string" ? q.tenant : "", from: typeof q.from === "string" ? q.from.toLowerCase() : "" };
  const t = tenants.find((x) => x.id === want.tenant);
  const from = (t?.senders.find((s) => s.address === want.from) ?? t?.senders[0])?.address;
  const start = t && from ? { tenantId: t.id, mode: "app" as const, from } : null;
  return (
    <>
      <PageHeader title="Compose" description="Send as a mailbox you were granted or as yourself, with HTML, To, Cc, Bcc, attachments up to 150 MB and custom x-headers." />
      {tenants.length === 0 ? (
        <div role="note" className="space-y-2 text-sm">
          <p>You have no mailbox to send from yet: nobody has granted you a sender mailbox, and sending as yourself needs a Microsoft sign-in in a tenant that allows it.</p>
          {user.role === "admin" ? (
            <p>
              Admins grant mailboxes to people and groups — yourself included — on the{" "}
              <Link href="/senders" className="text-brand-600 underline">Senders</Link> page (connect a tenant in Setup first).
            </p>
          ) : (
            <p>Ask a portal admin to grant you a mailbox on the Senders page.</p>
          )}
        </div>
      ) : (
        <ComposeForm tenants={tenants} start={start} />
      )}
    </>
  );
}
