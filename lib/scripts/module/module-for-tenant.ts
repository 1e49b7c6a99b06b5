import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError, forbidden, notFound } from "@/lib/errors";
import type { SessionUser } from "@/lib/auth/session";
import type { ModuleQuery } from "@/lib/schemas/scripts-module";
import { CLOUDS } from "@/lib/tenants/clouds";
import { buildModule, ModuleOptionError, type BuiltModule } from "./build-module";

/** The module is generated per tenant by admins (it names the tenant's app and mailboxes): checked here, where the data is. */
export function requireModuleAdmin(actor: SessionUser): void {
  if (actor.role !== "admin") throw forbidden("generate the PowerShell module");
}

/**
 * The module for one tenant and transport. The default sender must be one of the tenant's sender
 * mailboxes; the Graph transport needs the tenant's client id and its cloud's hosts.
 */
export async function moduleForTenant(actor: SessionUser, q: Pick<ModuleQuery, "tenant" | "transport" | "from">): Promise<{ tenant: { id: string; name: string }; built: BuiltModule }> {
  requireModuleAdmin(actor);
  const t = await db().tenant.findUnique({
    where: { id: q.tenant },
    select: { id: true, name: true, directoryId: true, cloud: true, loginUrl: true, graphUrl: true, clientId: true, senders: { select: { address: true } } },
  });
  if (!t) throw notFound("That tenant");
  if (q.from && !t.senders.some((s) => s.address === q.from)) {
    throw new AppError("VALIDATION_FAILED", { userMessage: "The default sender must be one of the tenant's sender mailboxes.", status: 422, fields: { from: "Choose one of the tenant's sender mailboxes" } });
  }
  const loginUrl = t.loginUrl ?? CLOUDS[t.cloud].loginUrl ?? "";
  const graphUrl = t.graphUrl ?? CLOUDS[t.cloud].graphUrl ?? "";
  if (q.transport === "graph" && (!loginUrl || !graphUrl)) {
    throw new AppError("VALIDATION_FAILED", { userMessage: "This tenant's cloud has no login or Graph address configured.", status: 422, fields: { transport: "This tenant's cloud has no Graph address: choose the REST API" } });
  }
  try {
    const built = buildModule({
      transport: q.transport,
      portalUrl: env().PORTAL_URL,
      defaultFrom: q.from,
      tenant: { id: t.id, name: t.name, directoryId: t.directoryId, clientId: t.clientId, loginUrl, graphUrl },
    });
    return { tenant: { id: t.id, name: t.name }, built };
  } catch (err) {
    if (err instanceof ModuleOptionError) throw new AppError("VALIDATION_FAILED", { userMessage: err.message, status: 422, fields: { [err.field]: err.message } });
    throw err;
  }
}
