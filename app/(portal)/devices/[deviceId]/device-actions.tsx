"use client";
import { useState } from "react";
import type { TestSendResult } from "@/lib/devices/test-send";
import { CredentialsOnce } from "@/components/devices/credentials-once";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { revokeDeviceAction, rotateDevicePasswordAction, testSendDeviceAction, type ShownCredentials } from "../actions";

function RotateForm({ deviceId, onRotated }: { deviceId: string; onRotated: (c: ShownCredentials) => void }) {
  const { state, formAction, pending } = useFormAction(async (prev: Parameters<typeof rotateDevicePasswordAction>[0], data: FormData) => {
    const next = await rotateDevicePasswordAction(prev, data);
    if (next.status === "ok" && next.data) onRotated(next.data as ShownCredentials);
    return next;
  });
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name="deviceId" value={deviceId} />
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Rotating…" : "Rotate password"}
      </Button>
      <FormMessage state={state.status === "ok" ? { status: "idle" } : state} />
    </form>
  );
}

function TestSendForm({ deviceId, ipOnly, password, defaultTo }: { deviceId: string; ipOnly: boolean; password: string; defaultTo: string }) {
  const { state, formAction, pending, fields, values } = useFormAction(testSendDeviceAction);
  const result = state.status === "ok" ? (state.data as TestSendResult | undefined) : undefined;
  return (
    <form action={formAction} className="grid gap-3 sm:grid-cols-2" aria-label="Send a test" noValidate>
      <input type="hidden" name="deviceId" value={deviceId} />
      {ipOnly ? null : (
        <Field
          key={password}
          name="password"
          label="Device password"
          type="password"
          autoComplete="off"
          defaultValue={password}
          hint="The password just shown, or paste it: used for this one SMTP session, never stored."
          error={fields?.password}
        />
      )}
      <Field name="to" label="Send the test to" type="email" defaultValue={values?.to ?? defaultTo} error={fields?.to} />
      <div className="sm:col-span-2">
        <Button type="submit" variant="secondary" disabled={pending}>
          {pending ? "Sending…" : "Send a test"}
        </Button>
      </div>
      {result ? (
        <div role="status" className="text-sm sm:col-span-2" data-testid="test-send-result">
          <p className={result.accepted ? "text-emerald-700 dark:text-emerald-300" : "text-red-700 dark:text-red-300"}>
            {result.accepted ? "Accepted by the relay" : "Refused"} — via {result.via}
          </p>
          <pre className="mt-1 whitespace-pre-wrap break-all rounded bg-slate-100 p-2 text-xs dark:bg-slate-800">{result.reply}</pre>
        </div>
      ) : (
        <div className="sm:col-span-2">
          <FormMessage state={fields ? { status: "idle" } : state} />
        </div>
      )}
    </form>
  );
}

function RevokeForm({ deviceId, name }: { deviceId: string; name: string }) {
  const { state, formAction, pending } = useFormAction(revokeDeviceAction);
  return (
    <form
      action={formAction}
      onSubmit={(e) => {
        if (!window.confirm(`Revoke ${name}? Its next connection is refused; this cannot be undone.`)) e.preventDefault();
      }}
    >
      <input type="hidden" name="deviceId" value={deviceId} />
      <Button type="submit" variant="danger" disabled={pending}>
        {pending ? "Revoking…" : "Revoke device"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}

/**
 * The device's admin actions: rotate the password (shown once, and handed to "Send a test"), send a
 * test through the relay, revoke.
 */
export function DeviceActions({ deviceId, name, ipOnly, defaultTo }: { deviceId: string; name: string; ipOnly: boolean; defaultTo: string }) {
  const [shown, setShown] = useState<ShownCredentials | null>(null);
  return (
    <div className="space-y-5">
      {shown ? <CredentialsOnce key={shown.password ?? ""} name={shown.name} username={shown.username} password={shown.password} /> : null}
      <section aria-label="Send a test" className="space-y-2">
        <h3 className="text-sm font-semibold">Send a test</h3>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          The portal connects to its own SMTP relay as this device, as the device would, and shows the relay&apos;s answer.
        </p>
        <TestSendForm deviceId={deviceId} ipOnly={ipOnly} password={shown?.password ?? ""} defaultTo={defaultTo} />
      </section>
      <div className="flex flex-wrap items-start gap-3 border-t border-slate-200 pt-4 dark:border-slate-800">
        {ipOnly ? null : <RotateForm deviceId={deviceId} onRotated={setShown} />}
        <RevokeForm deviceId={deviceId} name={name} />
      </div>
    </div>
  );
}
