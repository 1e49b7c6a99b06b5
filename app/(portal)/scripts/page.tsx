import type { Metadata } from "next";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";

export const metadata: Metadata = { title: "Scripts" };

export default async function ScriptsPage() {
  await pageUser(["admin"]);
  return (
    <>
      <PageHeader title="Scripts" description="Convert Send-MailMessage scripts and generate the PowerShell for your tenant." />
      <Card>
        <p className="text-sm">This part of the portal is not in this release yet. Follow the project&apos;s issue tracker for its progress.</p>
      </Card>
    </>
  );
}
