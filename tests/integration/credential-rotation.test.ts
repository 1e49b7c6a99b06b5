import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as DbModule from "@/lib/db";

// Credential rotation while sends flow through the real outbox (queueSend → claim → processSend with the
// real MSAL and Graph SDK) against the in-process sandbox: secret → certificate, then certificate → secret,
// each added next to the old one by the generated script run in the sandbox, verified with a real token,
// switched, and the old one removed — every send accepted, and the old credential refused afterwards.
let sb: TestSandbox;
let env: PortalEnv;
let tenantId: string;
let db: typeof DbModule.db;
const admin = { id: "", name: "Ada", email: "ada@example.com", role: "admin" as const, tenantId: null as string | null };
const auditor = { id: "", name: "Aud", email: "aud@example.com", role: "auditor" as const, tenantId: null as string | null };
const lib = async () => ({
  queueSend: (await import("@/lib/sends/queue-send")).queueSend,
  claimSends: (await import("@/lib/outbox/claim")).claimSends,
  processSend: (await import("@/lib/outbox/process-send")).processSend,
  outboxOptions: (await import("@/lib/outbox/options")).outboxOptions,
  addNextCertificate: (await import("@/lib/credentials/add-next-certificate")).addNextCertificate,
  runRotationScript: (await import("@/lib/credentials/run-rotation-script")).runRotationScript,
  verifyNext: (await import("@/lib/credentials/verify-next")).verifyNext,
  switchCredential: (await import("@/lib/credentials/switch-credential")).switchCredential,
  confirmRemoval: (await import("@/lib/credentials/confirm-removal")).confirmRemoval,
  loadTenantAccess: (await import("@/lib/graph/tenant-access")).loadTenantAccess,
  appToken: (await import("@/lib/graph/tokens")).appToken,
  decodeClaims: (await import("@/lib/graph/tokens")).decodeClaims,
  tenantForRotation: (await import("@/lib/credentials/tenant-for-rotation")).tenantForRotation,
  tryRotationCredential: (await import("@/lib/credentials/rotation-access")).tryRotationCredential,
});
let L: Awaited<ReturnType<typeof lib>>;

beforeAll(async () => {
  env = await startPortalEnv("rotation", { senders: (e) => [e.mailboxes.shared] });
  sb = env.sb;
  tenantId = env.tenantId;
  // "Run in the sandbox" finds the sandbox through its endpoints file, as under `npm start`.
  const file = path.join(env.dataDir, "endpoints.json");
  writeFileSync(file, JSON.stringify({ loginUrl: sb.endpoints.loginUrl, graphUrl: sb.endpoints.graphUrl, controlUrl: sb.endpoints.controlUrl }));
  process.env.PORTAL_SANDBOX_ENDPOINTS_FILE = file;
  db = (await import("@/lib/db")).db;
  L = await lib();
  admin.id = (await db().user.create({ data: { email: admin.email, name: admin.name, role: "admin" } })).id;
  auditor.id = (await db().user.create({ data: { email: auditor.email, name: auditor.name, role: "auditor" } })).id;
  for (const m of await db().senderMailbox.findMany({ where: { tenantId } })) await db().senderGrant.create({ data: { mailboxId: m.id, userId: admin.id } });
});
afterAll(async () => env?.close());

/** Sends flowing: queue one and process everything due, over and over, until stopped. */
function flow() {
  let stop = false;
  const outcomes: string[] = [];
  const ids: string[] = [];
  const o = L.outboxOptions({ leaseMs: 30_000, timeoutMs: 20_000 });
  const loop = (async () => {
    while (!stop) {
      ids.push((await L.queueSend({ actor: admin, tenantId, mode: "app", from: sb.endpoints.mailboxes.shared, to: sb.endpoints.mailboxes.allowed, subject: `rotation ${randomBytes(3).toString("hex")}`, body: "<p>hi</p>" })).id);
      const claims = await L.claimSends("w-rotation", { limit: 10, leaseMs: o.leaseMs, pace: { perMinute: 10_000, concurrent: 100, recipientsPerDay: 1_000_000 } });
      outcomes.push(...(await Promise.all(claims.map((c) => L.processSend(c.id, c.lease, o)))));
    }
  })();
  return { outcomes, ids, async end() { stop = true; await loop; } };
}

async function tokenMethod(): Promise<string> {
  const { accessToken } = await L.appToken(await L.loadTenantAccess(tenantId));
  return String(L.decodeClaims(accessToken).appidacr);
}

describe("credential rotation", () => {
  it("rotates secret → certificate → secret with sends flowing: none fails, the old credential is refused after removal", async () => {
    const sends = flow();
    try {
      expect(await tokenMethod()).toBe("1"); // a client secret today (appidacr 1)

      // 1. secret → certificate
      await expect(L.addNextCertificate(auditor, tenantId, 1)).rejects.toMatchObject({ status: 403 });
      await expect(L.switchCredential(admin, tenantId)).rejects.toMatchObject({ code: "ROTATION_NOTHING_TO_SWITCH" });
      await L.addNextCertificate(admin, tenantId, 1);
      await expect(L.verifyNext(admin, tenantId)).rejects.toMatchObject({ code: "AADSTS700027" }); // not uploaded yet
      await expect(L.switchCredential(admin, tenantId)).rejects.toMatchObject({ code: "ROTATION_NOT_VERIFIED" });
      const added = await L.runRotationScript(admin, tenantId, "add-certificate");
      expect(added.ok, added.transcript).toBe(true);
      await L.verifyNext(admin, tenantId);
      const before = sends.outcomes.length;
      await L.switchCredential(admin, tenantId);
      expect(await tokenMethod()).toBe("2"); // the certificate now (appidacr 2)
      while (sends.outcomes.length < before + 3) await new Promise((r) => setTimeout(r, 50));
      // The old secret is still valid in Entra ID until removed: checking now refuses to forget it.
      await expect(L.confirmRemoval(admin, tenantId)).rejects.toMatchObject({ code: "ROTATION_OLD_STILL_VALID" });
      const removed = await L.runRotationScript(admin, tenantId, "remove");
      expect(removed.ok, removed.transcript).toBe(true);
      expect(removed.transcript).not.toContain(sb.endpoints.app.clientSecret);
      expect(await L.confirmRemoval(admin, tenantId)).toEqual({ code: "AADSTS7000215" });
      const secrets = await sb.control<{ clientSecrets: { secretText: string }[] }>(`/credentials?appId=${sb.endpoints.app.clientId}`);
      expect(secrets.json.clientSecrets.map((s) => s.secretText)).not.toContain(sb.endpoints.app.clientSecret);

      // 2. certificate → secret, the new secret created by Add-MgApplicationPassword in the sandbox
      const run = await L.runRotationScript(admin, tenantId, "add-secret");
      expect(run.secretSaved).toBe(true);
      expect(run.transcript).toMatch(/Client secret value: \[saved, encrypted, by the portal: not shown\]/);
      await L.verifyNext(admin, tenantId);
      const mid = sends.outcomes.length;
      const oldCert = (await L.tenantForRotation(tenantId)).certificatePem;
      await L.switchCredential(admin, tenantId);
      expect(await tokenMethod()).toBe("1");
      while (sends.outcomes.length < mid + 3) await new Promise((r) => setTimeout(r, 50));
      const rm = await L.runRotationScript(admin, tenantId, "remove");
      expect(rm.ok, rm.transcript).toBe(true);
      const prev = await L.tenantForRotation(tenantId);
      expect(prev.previous?.certificatePem).toBe(oldCert);
      const refused = await L.tryRotationCredential(prev, prev.previous!);
      expect(refused?.code).toBe("AADSTS700027");
      expect(await L.confirmRemoval(admin, tenantId)).toEqual({ code: "AADSTS700027" });
      expect((await L.tenantForRotation(tenantId)).rotationCredentials).toEqual([]);
    } finally {
      await sends.end();
    }
    // Every send accepted; none failed at any point.
    expect(sends.outcomes.length).toBeGreaterThanOrEqual(8);
    expect(sends.outcomes.filter((o) => o !== "accepted")).toEqual([]);
    const statuses = await db().send.groupBy({ by: ["status"], where: { id: { in: sends.ids } }, _count: true });
    expect(statuses.filter((s) => s.status !== "accepted" && s.status !== "queued")).toEqual([]);
    const audit = await db().auditEvent.findMany({ where: { action: { startsWith: "credential.rotation" } }, orderBy: { at: "asc" }, select: { action: true } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["credential.rotation-added", "credential.rotation-verified", "credential.rotation-switched", "credential.rotation-removed", "credential.rotation-verify-failed", "credential.rotation-remove-pending"]));
    // No secret in the audit trail or the rotation slots in plain text.
    expect(JSON.stringify(await db().auditEvent.findMany())).not.toContain(sb.endpoints.app.clientSecret);
  });
});
