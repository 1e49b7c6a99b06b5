import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await pageUser();
  return (
    <>
      <PageHeader title="Settings" />
      <div className="grid gap-4 md:grid-cols-2">
        <Card title="Your account">
          <dl className="grid grid-cols-[6rem_1fr] gap-y-1 text-sm">
            <dt className="text-slate-500">Name</dt>
            <dd>{user.name ?? "—"}</dd>
            <dt className="text-slate-500">Email</dt>
            <dd>{user.email}</dd>
            <dt className="text-slate-500">Role</dt>
            <dd>{user.role}</dd>
          </dl>
        </Card>
        {user.role === "admin" ? (
          <Card title="Users and roles">
            <p className="mb-2 text-sm">Choose who is an admin, a sender or an auditor, and disable accounts.</p>
            <Link href="/settings/users" className="text-sm text-brand-600 underline">
              Manage users
            </Link>
          </Card>
        ) : null}
        {user.role === "admin" || user.role === "auditor" ? (
          <Card title="Send history retention">
            <p className="mb-2 text-sm">How many days each tenant&apos;s sends are kept, and whether bodies are kept at all.</p>
            <Link href="/settings/retention" className="text-sm text-brand-600 underline">
              Retention settings
            </Link>
          </Card>
        ) : null}
      </div>
    </>
  );
}
