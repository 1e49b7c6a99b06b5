import "server-only";
import type { SessionUser } from "../auth/session";
import { db } from "../db";
import { requireCredentialReader } from "./require-role";

/** Who mails the warnings (and as whose send), the tenants to choose from, and the last warnings mailed. Admins and auditors. */
export async function loadAlertSetting(actor: SessionUser) {
  requireCredentialReader(actor);
  const [setting, tenants, recent] = await Promise.all([
    db().credentialAlertSetting.findUnique({ where: { id: "default" } }),
    db().tenant.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    db().credentialWarning.findMany({ orderBy: { sentAt: "desc" }, take: 10 }),
  ]);
  const by = setting ? await db().user.findUnique({ where: { id: setting.configuredById }, select: { name: true, email: true } }) : null;
  return { setting: setting ? { tenantId: setting.tenantId, fromAddress: setting.fromAddress, configuredBy: by?.name ?? by?.email ?? "a removed user" } : null, tenants, recent };
}
