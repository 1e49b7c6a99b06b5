"use client";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { startTransition, useActionState, useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { idle } from "@/lib/action-state";
import { formFeedback } from "@/lib/form-feedback";
import { claimPortalAction } from "./actions";

export function ClaimForm() {
  const [state, formAction, pending] = useActionState(claimPortalAction, idle);
  // What is needed to sign in right after the claim, kept from the submit event.
  const typed = useRef<{ email: string; password: string } | null>(null);
  const router = useRouter();
  // Said once: inline under the field it names, or (no field named) once above the form; no toast.
  const { banner, fields } = formFeedback(state);
  // Without JavaScript the page comes back from the server: refill what it may echo (never the secrets).
  const values = state.status === "error" ? state.values : undefined;

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
        // Submitted by hand rather than through the form's action: React resets a form after its action
        // runs, which would wipe the code and both passwords (never echoed back by the server) on a
        // refusal. Without JavaScript the form still posts to the action.
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        typed.current = { email: String(data.get("email") ?? ""), password: String(data.get("password") ?? "") };
        startTransition(() => formAction(data));
      }}
      className="mt-6 space-y-4"
      noValidate
    >
      {banner ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
          {banner}
        </div>
      ) : null}
      <Field name="code" label="Setup code" required autoComplete="off" spellCheck={false} placeholder="XXXX-XXXX-XXXX-XXXX" error={fields.code}
        hint="Printed in the console when the portal started, and saved in .data/setup-code." />
      <Field name="name" label="Your name" required autoComplete="name" defaultValue={values?.name} error={fields.name} />
      <Field name="email" label="Email" type="email" required autoComplete="username" defaultValue={values?.email} error={fields.email} />
      <Field name="password" label="Password" type="password" required autoComplete="new-password" minLength={12} error={fields.password} hint="At least 12 characters." />
      <Field name="confirm" label="Confirm password" type="password" required autoComplete="new-password" error={fields.confirm} />
      <Button type="submit" className="w-full" disabled={pending || state.status === "ok"}>
        {pending ? "Creating admin…" : state.status === "ok" ? "Signing you in…" : "Become the first admin"}
      </Button>
    </form>
  );
}
