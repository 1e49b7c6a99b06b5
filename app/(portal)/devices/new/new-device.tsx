"use client";
import Link from "next/link";
import { CredentialsOnce } from "@/components/devices/credentials-once";
import { DeviceForm, type TenantChoice } from "@/components/devices/device-form";
import { useFormAction } from "@/components/ui/use-form-action";
import { createDeviceAction, type ShownCredentials } from "../actions";

/** "Add device": the form, then the new device's credentials once, with the way to its page. */
export function NewDevice({ tenants }: { tenants: TenantChoice[] }) {
  const { state, formAction, pending, fields, values } = useFormAction(createDeviceAction);
  const created = state.status === "ok" ? (state.data as ShownCredentials | undefined) : undefined;
  if (tenants.length === 0) return <p className="text-sm">Connect a tenant on the Setup page first.</p>;
  if (created) {
    return (
      <div className="space-y-4">
        <p role="status" className="text-sm">
          {state.status === "ok" ? state.message : null}
        </p>
        <CredentialsOnce key={created.deviceId} name={created.name} username={created.username} password={created.password} />
        <p className="text-sm">
          Next: enter these in the device, then{" "}
          <Link href={`/devices/${created.deviceId}`} className="text-brand-600 underline">
            open the device
          </Link>{" "}
          for its connection settings card and to send a test.
        </p>
      </div>
    );
  }
  return <DeviceForm tenants={tenants} formAction={formAction} pending={pending} state={state} fields={fields} values={values} submitLabel="Add device" />;
}
