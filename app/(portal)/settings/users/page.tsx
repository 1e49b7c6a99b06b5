import type { Metadata } from "next";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { listUsers } from "@/lib/users/list-users";
import { UserRow } from "./user-row";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const user = await pageUser(["admin"]);
  const users = await listUsers(user);
  return (
    <>
      <PageHeader
        title="Users"
        description="People who signed in with Microsoft get the sender role; admins manage tenants and keys, auditors read logs and change nothing."
      />
      <Card>
        <table className="w-full text-left">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="pb-2">User</th>
              <th className="pb-2">Signs in with</th>
              <th className="pb-2">Last sign-in</th>
              <th className="pb-2">Role</th>
              <th className="pb-2">
                <span className="sr-only">Enable or disable</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <UserRow
                key={u.id}
                user={{ id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabled, lastSignInAt: u.lastSignInAt?.toISOString() ?? null, via: u.entraObjectId ? `Microsoft (${u.tenant?.name ?? "tenant removed"})` : "local account" }}
              />
            ))}
          </tbody>
        </table>
      </Card>
    </>
  );
}
