"use client";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useActionState, useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { idle } from "@/lib/action-state";
import { claimPortalAction } from "./actions";

export function ClaimForm() {
  const [state, formAction, pending] = useActionState(claimPortalAction, idle);
  // React resets the form after the action runs, so keep what is needed to sign in from the submit event.
  const typed = useRef<{ email: string; password: string } | null>(null);
  const router = useRouter();
  const values = state.status === "error" ? state.values : undefined;
  const fields = state.status === "error" ? state.fields : undefined;

  // Once claimed, sign in with the password just typed (it never left this page except to the server).
  useEffect(() => {
    if (state.status !== "ok" || !typed.current) return;
    void signIn("credentials", { ...typed.current, redirect: false }).then(() => {
      typed.current = null;
      router.push("/");
      router.refresh();
    });
  }, [state, router]);

  return (
    <form
      action={formAction}
      onSubmit={(e) => {
        const data = new FormData(e.currentTarget);
        typed.current = { email: String(data.get("email") ?? ""), password: String(data.get("password") ?? "") };
      }} className="mt-6 space-y-4" noValidate>
      <FormMessage state={state} />
      <Field name="code" label="Setup code" required autoComplete="off" spellCheck={false} placeholder="XXXX-XXXX-XXXX-XXXX" error={fields?.code}
        hint="Printed in the console when the portal started, and saved in .data/setup-code." />
      <Field name="name" label="Your name" required autoComplete="name" defaultValue={values?.name} error={fields?.name} />
      <Field name="email" label="Email" type="email" required autoComplete="username" defaultValue={values?.email} error={fields?.email} />
      <Field name="password" label="Password" type="password" required autoComplete="new-password" minLength={12} error={fields?.password} hint="At least 12 characters." />
      <Field name="confirm" label="Confirm password" type="password" required autoComplete="new-password" error={fields?.confirm} />
      <Button type="submit" className="w-full" disabled={pending || state.status === "ok"}>
        {pending ? "Creating admin…" : state.status === "ok" ? "Signing you in…" : "Become the first admin"}
      </Button>
    </form>
  );
}
