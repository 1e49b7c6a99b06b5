import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/card";
import { NewRunForm } from "@/components/bulk/new-run-form";
import { pageUser } from "@/lib/auth/page-user";
import { bulkSenderOptions } from "@/lib/bulk/sender-options";

export const metadata: Metadata = { title: "New bulk run" };

export default async function NewRunPage() {
  const user = await pageUser(["admin", "sender"]);
  const senders = await bulkSenderOptions(user);
  return (
    <>
      <PageHeader title="New bulk run" description="Step 1 of 3: who receives it. Then the message with a preview, then a review and Start." />
      {senders.length === 0 ? (
        <p role="note" className="text-sm">
          You have no mailbox to send from: bulk runs send as a mailbox granted to you. {user.role === "admin" ? <>Grant one on the <Link href="/senders" className="text-brand-600 underline">Senders</Link> page.</> : "Ask a portal admin to grant you one."}
        </p>
      ) : (
        <NewRunForm senders={senders} today={new Date().toISOString().slice(0, 10)} />
      )}
    </>
  );
}
