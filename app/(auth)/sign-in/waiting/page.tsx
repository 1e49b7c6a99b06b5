import type { Metadata } from "next";
import Link from "next/link";
import { findWaitingTenant } from "@/lib/admission/find-waiting-tenant";

export const metadata: Metadata = { title: "Waiting for approval" };

/**
 * Where a first Microsoft sign-in lands while its tenant admits people by approval (lib/auth/options.ts
 * redirects here with ?tenant=<portal tenant id>). Public: the person has no portal account yet.
 */
export default async function WaitingPage({ searchParams }: { searchParams: Promise<{ tenant?: string | string[] }> }) {
  const { tenant: raw } = await searchParams;
  const tenant = await findWaitingTenant(typeof raw === "string" ? raw : undefined);
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-xl font-semibold">Waiting for approval</h1>
      <div className="mt-4 space-y-3 text-sm">
        <p>
          {tenant ? (
            <>
              You signed in with your Microsoft account of <span className="font-medium">{tenant.name}</span>. In this portal,
              people of {tenant.name} get in once a portal admin approves their request.
            </>
          ) : (
            <>You signed in with your Microsoft account. In this portal, people get in once a portal admin approves their request.</>
          )}
        </p>
        <p>
          The portal&apos;s admins have been told: your request is listed on their Users page. Nothing else is needed from you;
          when an admin has approved it, sign in again the same way.
        </p>
      </div>
      <p className="mt-6">
        <Link href="/sign-in" className="text-sm font-medium text-brand-600 underline">
          Back to sign in
        </Link>
      </p>
    </div>
  );
}
