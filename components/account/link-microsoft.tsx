"use client";
import { signIn } from "next-auth/react";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";

type Start = (tenantId: string) => Promise<{ ok: boolean; message?: string }>;

/** Links a Microsoft account to the signed-in local account: the person proves both identities in one flow. */
export function LinkMicrosoft({ tenants, start }: { tenants: { id: string; name: string }[]; start: Start }) {
  const [tenantId, setTenantId] = useState(tenants[0]?.id ?? "");
  const [error, setError] = useState<string>();
  const [pending, go] = useTransition();
  if (tenants.length === 0) return <p className="text-sm text-slate-500">No tenant offers Microsoft sign-in yet.</p>;
  return (
    <div className="space-y-2">
      <label htmlFor="link-tenant" className="block text-sm font-medium">
        Tenant of the Microsoft account
      </label>
      <select id="link-tenant" value={tenantId} onChange={(e) => setTenantId(e.target.value)} className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900">
        {tenants.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      <Button
        variant="secondary"
        disabled={pending || !tenantId}
        onClick={() =>
          go(async () => {
            const r = await start(tenantId);
            if (!r.ok) return setError(r.message);
            await signIn("microsoft", { callbackUrl: "/settings?link=done" });
          })
        }
      >
        {pending ? "Opening Microsoft sign-in…" : "Link Microsoft account"}
      </Button>
      {error ? <p role="alert" className="text-sm text-red-700 dark:text-red-300">{error}</p> : null}
    </div>
  );
}
