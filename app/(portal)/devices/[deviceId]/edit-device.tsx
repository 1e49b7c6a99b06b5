"use client";
import { DeviceForm, type DeviceDefaults, type TenantChoice } from "@/components/devices/device-form";
import { CredentialsOnce } from "@/components/devices/credentials-once";
import { useFormAction } from "@/components/ui/use-form-action";
import { updateDeviceAction } from "../actions";

/** "Edit device": the same form as Add, starting from the device; a new password (IP-only → password) is shown once. */
export function EditDevice({ tenants, device, username }: { tenants: TenantChoice[]; device: DeviceDefaults; username: string }) {
  const { state, formAction, pending, fields, values } = useFormAction(updateDeviceAction);
  const issued = state.status === "ok" ? (state.data as { password: string } | undefined) : undefined;
  return (
    <div className="space-y-3">
      {issued ? <CredentialsOnce name={device.name} username={username} password={issued.password} /> : null}
      <DeviceForm tenants={tenants} device={device} formAction={formAction} pending={pending} state={state} fields={fields} values={values} submitLabel="Save device" />
    </div>
  );
}
