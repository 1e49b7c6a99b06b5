import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";

export const metadata: Metadata = { title: "Not found" };

/**
 * Rendered per request (connection()), not prerendered: the nonce-based Content-Security-Policy set in
 * proxy.ts only reaches scripts of pages rendered at request time, and a static 404 would be blocked.
 */
export default async function NotFound() {
  await connection();
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">There is nothing at this address, or it is not yours to see.</p>
      <p className="mt-4 text-sm">
        <Link href="/" className="text-brand-600 underline">Back to the dashboard</Link>
      </p>
    </main>
  );
}
