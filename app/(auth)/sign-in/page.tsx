import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cookieNames } from "@/lib/auth/cookies";
import { env } from "@/lib/env";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";
import { currentUser } from "@/lib/auth/session";
import { hasAdmin } from "@/lib/auth/setup-code";
import { findSignInTenants } from "@/lib/tenants/find-sign-in-tenants";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

/** Each message may name the tenant the person chose for Microsoft sign-in (null when it is not known). */
const ERRORS: Record<string, (tenant: string | null) => string> = {
  CredentialsSignin: () => "Email or password is incorrect.",
  AccessDenied: () => "That Microsoft account could not be signed in to this portal.",
  AccountDisabled: () => "Your portal account is disabled. Ask a portal admin to enable it.",
  NotInvited: (t) =>
    `This portal admits people of ${t ?? "your organization"} by invitation, and no invitation matches your account. Ask a portal admin to invite you.`,
  RequestDeclined: (t) =>
    `A portal admin declined your request to use this portal${t ? ` with your account of ${t}` : ""}. Ask a portal admin if you think this is a mistake.`,
  WrongDirectory: (t) =>
    `The Microsoft account belongs to another directory than the tenant you chose${t ? ` (${t})` : ""}. Pick the tenant your account belongs to, or sign in with an account of ${t ?? "that tenant"}.`,
  DirectoryUnverified: (t) =>
    `The directory (tenant) id of ${t ?? "this tenant"} is not verified yet, so no Microsoft account can be matched to it. Ask a portal admin to finish the tenant's Verify step in Setup.`,
  OAuthCallback: () => "Microsoft sign-in did not complete. Try again, or ask your admin to check the app registration.",
  OAuthSignin: () => "Microsoft sign-in could not start. The tenant's app registration may be incomplete.",
  Callback: () => "Microsoft sign-in did not complete. Try again.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; callbackUrl?: string; tenant?: string }> }) {
  if (await currentUser()) redirect("/");
  if (!(await hasAdmin())) redirect("/setup");
  const { error, callbackUrl, tenant } = await searchParams;
  const tenants = await findSignInTenants();
  const safeCallback = safeRedirectPath(callbackUrl);
  // The tenant of the Microsoft sign-in that just failed: named by the redirect, or remembered by the cookie.
  const chosenId = tenant ?? (await cookies()).get(cookieNames(env().PORTAL_URL).signInTenant)?.value;
  const chosen = tenants.find((t) => t.id === chosenId)?.name ?? null;
  // Own keys only: ?error=constructor must not reach Object.prototype.
  const known = error && Object.hasOwn(ERRORS, error) ? ERRORS[error] : undefined;
  const message = error ? (known?.(chosen) ?? "Sign-in failed. Try again.") : undefined;
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-xl font-semibold">Sign in to Graph Mail Portal</h1>
      <SignInForm tenants={tenants} callbackUrl={safeCallback} initialError={message} />
    </div>
  );
}
