import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/session";
import { hasAdmin } from "@/lib/auth/setup-code";
import { findSignInTenants } from "@/lib/tenants/find-sign-in-tenants";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

const ERRORS: Record<string, string> = {
  CredentialsSignin: "Email or password is incorrect.",
  AccessDenied: "That Microsoft account could not be signed in to this portal.",
  AccountDisabled: "Your portal account is disabled. Ask a portal admin to enable it.",
  OAuthCallback: "Microsoft sign-in did not complete. Try again, or ask your admin to check the app registration.",
  OAuthSignin: "Microsoft sign-in could not start. The tenant's app registration may be incomplete.",
  Callback: "Microsoft sign-in did not complete. Try again.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; callbackUrl?: string }> }) {
  if (await currentUser()) redirect("/");
  if (!(await hasAdmin())) redirect("/setup");
  const { error, callbackUrl } = await searchParams;
  const tenants = await findSignInTenants();
  const safeCallback = callbackUrl?.startsWith("/") && !callbackUrl.startsWith("//") ? callbackUrl : "/";
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-xl font-semibold">Sign in to Graph Mail Portal</h1>
      <SignInForm tenants={tenants} callbackUrl={safeCallback} initialError={error ? (ERRORS[error] ?? "Sign-in failed. Try again.") : undefined} />
    </div>
  );
}
