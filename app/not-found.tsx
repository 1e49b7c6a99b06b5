import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { buttonClass } from "@/components/ui/button";
import { AppShell } from "@/components/shell/app-shell";
import { CenteredFrame } from "@/components/shell/centered-frame";
import { StatusPage } from "@/components/shell/status-page";
import { currentUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Not found" };

/**
 * Rendered per request (connection()), not prerendered: the nonce-based Content-Security-Policy set in
 * proxy.ts only reaches scripts of pages rendered at request time, and a static 404 would be blocked.
 * A signed-in person keeps the portal's shell (and its navigation) around the message.
 */
export default async function NotFound() {
  await connection();
  const user = await currentUser().catch(() => null);
  const body = (
    <StatusPage
      code="404"
      title="Page not found"
      actions={
        user ? (
          <Link href="/" className={buttonClass()}>Back to the dashboard</Link>
        ) : (
          <Link href="/sign-in" className={buttonClass()}>Sign in</Link>
        )
      }
    >
      There is nothing at this address, or it is not yours to see.
    </StatusPage>
  );
  return user ? <AppShell user={user}>{body}</AppShell> : <CenteredFrame>{body}</CenteredFrame>;
}
