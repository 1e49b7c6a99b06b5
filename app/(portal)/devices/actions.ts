"use server";
import { revalidatePath } from "next/cache";
import { action } from "@/lib/action";
import { createDevice } from "@/lib/devices/create-device";
import { updateDevice } from "@/lib/devices/update-device";
import { rotateDevicePassword } from "@/lib/devices/rotate-password";
import { revokeDevice } from "@/lib/devices/revoke-device";
import { testSendDevice, type TestSendResult } from "@/lib/devices/test-send";
import { createDeviceSchema, deviceIdSchema, testSendSchema, updateDeviceSchema } from "@/lib/schemas/device";

const what = "manage SMTP devices";

/** Credentials shown once: they travel only in an action's answer; no page renders them from the server. */
export interface ShownCredentials {
  deviceId: string;
  name: string;
  username: string;
  password: string | null;
}

// The lib operations check the role and validate again with the same schemas: every caller meets the same rules.
export const createDeviceAction = action({ schema: createDeviceSchema, roles: ["admin"], what }, async (input, { user }) => {
  const d = await createDevice(user!, input);
  revalidatePath("/devices");
  const data: ShownCredentials = { deviceId: d.id, name: d.name, username: d.username, password: d.password };
  return { status: "ok", message: d.password ? `Device ${d.name} added. Copy its password now: it is shown only once.` : `Device ${d.name} added (IP-only: no password).`, data };
});

export const updateDeviceAction = action({ schema: updateDeviceSchema, roles: ["admin"], what }, async (input, { user }) => {
  const r = await updateDevice(user!, input);
  revalidatePath("/devices");
  revalidatePath(`/devices/${input.deviceId}`);
  if (!r.password) return { status: "ok", message: "Device saved." };
  return { status: "ok", message: "Device saved. It has a new password: copy it now, it is shown only once.", data: { password: r.password } };
});

export const rotateDevicePasswordAction = action({ schema: deviceIdSchema, roles: ["admin"], what }, async (input, { user }) => {
  const r = await rotateDevicePassword(user!, input);
  revalidatePath(`/devices/${input.deviceId}`);
  const data: ShownCredentials = { deviceId: input.deviceId, name: r.name, username: r.username, password: r.password };
  return { status: "ok", message: "New password issued: the old one no longer works. Copy it now, it is shown only once.", data };
});

export const revokeDeviceAction = action({ schema: deviceIdSchema, roles: ["admin"], what }, async (input, { user }) => {
  await revokeDevice(user!, input);
  revalidatePath("/devices");
  revalidatePath(`/devices/${input.deviceId}`);
  return { status: "ok", message: "Device revoked: its next connection is refused." };
});

// The password is a secret field: never echoed back in a refused form's values.
export const testSendDeviceAction = action({ schema: testSendSchema, roles: ["admin"], what, secret: ["password"] }, async (input, { user }) => {
  const r: TestSendResult = await testSendDevice(user!, input);
  return { status: "ok", message: r.accepted ? "The relay accepted the test." : "The relay refused the test.", data: r };
});
