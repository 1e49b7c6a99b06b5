import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/card";
import { ComposeForm } from "@/components/compose/compose-form";
import { pageUser } from "@/lib/auth/page-user";
import { composeOptions } from "@/lib/sends/compose-options";

export const metadata: Metadata = { title: "Compose" };

export default async function ComposePage() {
  const user = await pageUser(["admin", "sender"]);
  const tenants = await composeOptions(user);
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
        <ComposeForm tenants={tenants} />
      )}
    </>
  );
}
