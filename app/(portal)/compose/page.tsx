import type { Metadata } from "next";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";

export const metadata: Metadata = { title: "Compose" };

export default async function ComposePage() {
  await pageUser(["admin", "sender"]);
  return (
    <>
      <PageHeader title="Compose" description="Send as an allowed mailbox or as yourself, with HTML, To, Cc, Bcc, attachments up to 150 MB and custom x-headers." />
      <Card>
        <p className="text-sm">This part of the portal is not in this release yet. Follow the project&apos;s issue tracker for its progress.</p>
      </Card>
    </>
  );
}
