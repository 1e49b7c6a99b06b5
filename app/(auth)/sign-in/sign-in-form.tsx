"use client";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useRef, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";
import { isEmail } from "@/lib/schemas/rules";
import { chooseSignInTenant } from "./actions";

export function SignInForm({ tenants, callbackUrl, initialError }: { tenants: { id: string; name: string }[]; callbackUrl: string; initialError?: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState(initialError);
  const [fields, setFields] = useState<Record<string, string>>({});
  const formRef = useRef<HTMLFormElement>(null);
  // The page already checked it; checked again here because this is where the browser navigates.
  const target = safeRedirectPath(callbackUrl);

  function microsoft(tenantId: string) {
    start(async () => {
      const { ok } = await chooseSignInTenant(tenantId);
      if (!ok) return setError("That tenant is no longer available for sign-in.");
      await signIn("microsoft", { callbackUrl: target });
    });
  }

  function local(form: FormData) {
    // The same rules as signInSchema (lib/schemas/auth.ts, which the server applies in authorize()), checked
    // here without zod: the sign-in page's first load stays small (npm run bench:startup).
    const email = String(form.get("email") ?? "").trim().toLowerCase();
    const password = String(form.get("password") ?? "");
    const problems: Record<string, string> = {};
    if (email.length > 254) problems.email = "An email address has at most 254 characters";
    else if (!isEmail(email)) problems.email = "Enter an email address such as admin@contoso.com";
    if (!password) problems.password = "Enter your password";
    if (Object.keys(problems).length) {
      setFields(problems);
      return;
    }
    setFields({});
    start(async () => {
      const res = await signIn("credentials", { email, password, redirect: false });
      // authorize() throws only safe, worded messages (throttling, server trouble); a wrong password is CredentialsSignin.
      if (!res || res.error) {
        setError(!res?.error || res.error === "CredentialsSignin" ? "Email or password is incorrect." : res.error);
        // The email stays as typed; the password is selected, ready to be typed again.
        (formRef.current?.elements.namedItem("password") as HTMLInputElement | null)?.select();
        return;
      }
      router.push(target);
      router.refresh();
    });
  }

  return (
    <div className="mt-6 space-y-6">
      {error ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
          {error}
        </div>
      ) : null}
      {tenants.length > 0 ? (
        <div className="space-y-2">
          {tenants.map((t) => (
            <Button key={t.id} variant="secondary" className="w-full" disabled={pending} onClick={() => microsoft(t.id)}>
              Sign in with Microsoft ({t.name})
            </Button>
          ))}
          <p className="text-center text-xs text-slate-500">or with a local portal account</p>
        </div>
      ) : null}
      {/* Submitted from onSubmit: React resets a form after its action runs, which cleared the email on a wrong
          password. The action stays for React's no-JavaScript placeholder (the form never posts the password anywhere). */}
      <form
        ref={formRef}
        action={local}
        onSubmit={(e) => {
          e.preventDefault();
          local(new FormData(e.currentTarget));
        }}
        className="space-y-4"
        noValidate
      >
        <Field name="email" label="Email" type="email" autoComplete="username" required error={fields.email} />
        <Field name="password" label="Password" type="password" autoComplete="current-password" required error={fields.password} />
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
    </div>
  );
}
