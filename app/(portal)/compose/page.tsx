import type { Metadata } from "next";
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
      <PageHeader title="Compose" description="Send as an allowed mailbox or as yourself, with HTML, To, Cc, Bcc, attachments up to 150 MB and custom x-headers." />
      {tenants.length === 0 ? (
        <p className="text-sm">No tenant is ready for sending yet. An admin connects one in Setup.</p>
      ) : (
        <ComposeForm tenants={tenants} />
      )}
    </>
  );
}
