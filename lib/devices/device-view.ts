import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { notFound } from "../errors";
import { assertMayReadDevices } from "./access";
import { DEVICE_SUMMARY_SELECT, toSummary, type DeviceSummary } from "./list-devices";

export interface DeviceDetail extends DeviceSummary {
  defaultFrom: string | null;
  fromPolicy: "reject" | "rewrite";
  maxMessageBytes: number | null;
  ratePerMinute: number;
  saveToSent: boolean;
  passwordSetAt: Date | null;
  /** Granted mailboxes with their ids (the edit form's checkboxes). */
  grantedMailboxIds: string[];
  recentSends: { id: string; createdAt: Date; status: string; fromAddress: string; subject: string; recipientCount: number }[];
}

/** One device with its settings and its ten latest sends (admins and auditors). Never the password hash. */
export async function deviceView(actor: SessionUser, deviceId: string): Promise<DeviceDetail> {
  assertMayReadDevices(actor);
  const d = await db().device.findUnique({
    where: { id: deviceId },
    select: {
      ...DEVICE_SUMMARY_SELECT,
      defaultFrom: true, fromPolicy: true, maxMessageBytes: true, ratePerMinute: true, saveToSent: true, passwordSetAt: true,
      grants: { select: { mailboxId: true, mailbox: { select: { address: true } } } },
      sends: { where: { test: false }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 10, select: { id: true, createdAt: true, status: true, fromAddress: true, subject: true, recipientCount: true } },
    },
  });
  if (!d) throw notFound("That device");
  const { sends, defaultFrom, fromPolicy, maxMessageBytes, ratePerMinute, saveToSent, passwordSetAt, ...summary } = d;
  return {
    ...toSummary(summary),
    defaultFrom, maxMessageBytes, ratePerMinute, saveToSent, passwordSetAt,
    fromPolicy: fromPolicy === "rewrite" ? "rewrite" : "reject",
    grantedMailboxIds: summary.grants.map((g) => g.mailboxId),
    recentSends: sends.map((s) => ({ ...s, status: String(s.status) })),
  };
}
