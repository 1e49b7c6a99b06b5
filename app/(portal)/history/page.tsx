import type { Metadata } from "next";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";

export const metadata: Metadata = { title: "History" };

export default async function HistoryPage() {
  await pageUser();
  return (
    <>
      <PageHeader title="History" description="Every send and every Graph attempt, searchable and exportable." />
      <Card>
        <p className="text-sm">This part of the portal is not in this release yet. Follow the project&apos;s issue tracker for its progress.</p>
      </Card>
    </>
  );
}
