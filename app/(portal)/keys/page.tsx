import type { Metadata } from "next";
import Link from "next/link";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { listApiKeys, type ApiKeyView } from "@/lib/api-keys/list-keys";
import { keyFormOptions } from "@/lib/api-keys/key-form-options";
import { CreateKeyForm } from "./create-key-form";
import { RevokeKeyButton } from "./revoke-key-button";

export const metadata: Metadata = { title: "API keys" };

const when = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "never");

function state(k: ApiKeyView) {
  if (k.revokedAt) return <Badge tone="bad">revoked</Badge>;
  if (k.expiresAt && k.expiresAt <= new Date()) return <Badge tone="warn">expired</Badge>;
  return <Badge tone="good">active</Badge>;
}

export default async function KeysPage() {
  const user = await pageUser(["admin", "auditor"]);
  const keys = await listApiKeys(user);
  const tenants = user.role === "admin" ? await keyFormOptions(user) : [];
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Keys let scripts send through the{" "}
            <Link href="/api-docs" className="text-brand-600 underline">
              REST API
            </Link>{" "}
            (<code>Authorization: Bearer …</code>). A key sends only as the mailboxes granted to it, within its rules; its secret is shown once and stored
            only as a hash.
          </>
        }
      />
      {user.role === "admin" ? (
        <Card title="New key" className="mb-4">
          <CreateKeyForm tenants={tenants} />
        </Card>
      ) : null}
      <Card title="Keys">
        {keys.length === 0 ? (
          <p className="text-sm">No keys yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs text-slate-500">
                <tr>
                  <th className="py-1 pr-3">Name</th>
                  <th className="py-1 pr-3">Key</th>
                  <th className="py-1 pr-3">Tenant</th>
                  <th className="py-1 pr-3">May send as</th>
                  <th className="py-1 pr-3">Rules</th>
                  <th className="py-1 pr-3">Last used</th>
                  <th className="py-1 pr-3">State</th>
                  {user.role === "admin" ? <th className="py-1"><span className="sr-only">Actions</span></th> : null}
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id} className="border-t border-slate-200 align-top dark:border-slate-800" data-testid={`key-${k.name}`}>
                    <td className="py-2 pr-3 font-medium">{k.name}</td>
                    <td className="py-2 pr-3">
                      <code>{k.displayPrefix}</code>
                    </td>
                    <td className="py-2 pr-3">{k.tenantName}</td>
                    <td className="py-2 pr-3">{k.mailboxes.join(", ") || "—"}</td>
                    <td className="py-2 pr-3 text-xs">
                      {k.ratePerMinute}/min
                      {k.maxMessageBytes ? ` · ≤ ${Math.round(k.maxMessageBytes / 1024 / 1024)} MB` : ""}
                      {k.allowedRecipientDomains.length ? ` · to ${k.allowedRecipientDomains.join(", ")}` : ""}
                      {k.expiresAt ? ` · expires ${when(k.expiresAt)}` : ""}
                    </td>
                    <td className="py-2 pr-3 text-xs">
                      {when(k.lastUsedAt)}
                      {k.useCount ? ` · ${k.useCount} use${k.useCount === 1 ? "" : "s"}` : ""}
                      {k.lastUsedIp ? ` · from ${k.lastUsedIp}` : ""}
                    </td>
                    <td className="py-2 pr-3">{state(k)}</td>
                    {user.role === "admin" ? <td className="py-2">{k.revokedAt ? null : <RevokeKeyButton keyId={k.id} name={k.name} />}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
