/**
 * POST {controlUrl}/seed — adds directory objects from JSON (see sandbox/README.md "Control API").
 * Everything is validated first and applied only when the whole body is valid; a 400 names every
 * bad field (e.g. "users[1].userPrincipalName"). References may use ids, UPNs, mail addresses or
 * display names; "tenant" defaults to the demo tenant (the first tenant in the store).
 */
import { randomUUID, X509Certificate } from "node:crypto";
import type { SandboxContext } from "../context";
import { thumbprints } from "../certs";
import { newClientSecret } from "../identity";
import type { AppCertificate, AppRegistration, AppSecret, GroupKind, MailboxKind, Store, Tenant } from "../model";
import { findTenant, findUserByUpn, isGuid } from "./directory";

export class SeedError extends Error {
  /** fields: every bad field; details: what is wrong with some of them (from the seed's zod schema). */
  constructor(public readonly fields: string[], details: ReadonlyMap<string, string> = new Map()) {
    super(`Invalid seed input: ${fields.map((f) => (details.has(f) ? `${f} (${details.get(f)})` : f)).join(", ")}`);
  }
}

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
export const str = (v: unknown): v is string => typeof v === "string" && v.trim().length > 0;
export const optStr = (v: unknown) => v === undefined || typeof v === "string";
export const isoOk = (v: unknown) => v === undefined || (typeof v === "string" && !Number.isNaN(Date.parse(v)));
export const strList = (v: unknown) => v === undefined || (Array.isArray(v) && v.every(str));

/** Collects field errors; `check(cond, field)` records field when cond is false. */
export class Check {
  readonly bad: string[] = [];
  check(ok: boolean, field: string): boolean {
    if (!ok) this.bad.push(field);
    return ok;
  }
  list(b: Obj, key: string): Obj[] {
    const v = b[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every(isObj)) {
      this.bad.push(key);
      return [];
    }
    return v as Obj[];
  }
}

export const MAILBOX_KINDS: MailboxKind[] = ["user", "shared", "room", "equipment"];
export const GROUP_KINDS: GroupKind[] = ["mailEnabledSecurity", "security", "distribution", "microsoft365", "dynamicDistribution"];

export function tenantOf(store: Store, v: unknown, pending: Tenant[]): Tenant | undefined {
  if (v === undefined) return [...store.tenants.values()][0];
  if (typeof v !== "string") return undefined;
  return findTenant(store, v) ?? pending.find((t) => t.id === v || t.domains.includes(v.toLowerCase()));
}

/** Resolves a principal reference (id, UPN, mail, proxy address, group mail or display name) in a tenant. */
export function resolvePrincipal(store: Store, tenantId: string, ref: string): string | undefined {
  if (isGuid(ref) && (store.users.has(ref) || store.groups.has(ref))) return ref;
  const u = findUserByUpn(store, ref, tenantId);
  if (u) return u.id;
  const low = ref.toLowerCase();
  const mb = [...store.mailboxes.values()].find((m) => m.tenantId === tenantId && [m.primarySmtpAddress, ...m.proxyAddresses].some((a) => a.toLowerCase() === low));
  if (mb) return mb.userId;
  const g = [...store.groups.values()].find((x) => x.tenantId === tenantId && (x.mail?.toLowerCase() === low || x.displayName.toLowerCase() === low));
  return g?.id;
}

export function addSecret(ctx: SandboxContext, app: AppRegistration, b: Obj, where: string): AppSecret {
  const c = new Check();
  c.check(optStr(b.secretText), `${where}.secretText`);
  c.check(optStr(b.displayName), `${where}.displayName`);
  c.check(isoOk(b.startDateTime), `${where}.startDateTime`);
  c.check(isoOk(b.endDateTime), `${where}.endDateTime`);
  if (c.bad.length) throw new SeedError(c.bad);
  const now = ctx.clock.now();
  const secretText = (b.secretText as string | undefined) || newClientSecret();
  const s: AppSecret = {
    keyId: randomUUID(),
    ...(b.displayName ? { displayName: b.displayName as string } : {}),
    secretText,
    hint: secretText.slice(0, 3),
    startDateTime: (b.startDateTime as string | undefined) ?? new Date(now).toISOString(),
    // Entra's default (and recommended maximum) secret lifetime: 180 days.
    endDateTime: (b.endDateTime as string | undefined) ?? new Date(now + 180 * 86_400_000).toISOString(),
  };
  app.secrets.push(s);
  return s;
}

export function addCertificate(ctx: SandboxContext, app: AppRegistration, b: Obj, where: string): AppCertificate {
  const c = new Check();
  let x509: X509Certificate | undefined;
  if (c.check(str(b.pem), `${where}.pem`)) {
    try {
      x509 = new X509Certificate(b.pem as string);
    } catch {
      c.check(false, `${where}.pem`);
    }
  }
  c.check(isoOk(b.startDateTime), `${where}.startDateTime`);
  c.check(isoOk(b.endDateTime), `${where}.endDateTime`);
  c.check(optStr(b.displayName), `${where}.displayName`);
  if (c.bad.length || !x509) throw new SeedError(c.bad);
  const tp = thumbprints(x509.toString());
  const cert: AppCertificate = {
    keyId: randomUUID(),
    displayName: (b.displayName as string | undefined) ?? x509.subject.replace(/\n/g, ", "),
    pem: x509.toString(),
    x5t: tp.x5t,
    x5tS256: tp.x5tS256,
    // Entra takes the key's validity from the certificate unless given.
    startDateTime: (b.startDateTime as string | undefined) ?? new Date(x509.validFrom).toISOString(),
    endDateTime: (b.endDateTime as string | undefined) ?? new Date(x509.validTo).toISOString(),
  };
  app.certificates.push(cert);
  return cert;
}

export interface SeedResult {
  tenants: { id: string; domain: string }[];
  users: { id: string; userPrincipalName: string }[];
  groups: { id: string; displayName: string; mail?: string }[];
  apps: { appId: string; id: string; servicePrincipalId?: string; secrets: { keyId: string; secretText: string; endDateTime: string }[] }[];
}


