/**
 * Issue 10, bad input: Settings → Retention and Settings → Users (role/enable, admission, invite, revoke,
 * decide) — the real server actions with real FormData, inside Next's request scope with a real next-auth
 * session cookie of an admin. 1,000+ generated forms each: wrong and hostile ids, numbers out of range and
 * not numbers, CRLF, NUL, huge and empty fields, repeated fields and files where text belongs, confusable
 * addresses. Every refusal is a field-error state naming a field of the form (or a 4xx code) and writes
 * nothing; every acceptance writes exactly its rows.
 */
import { inRequestScope, portalRequest, sessionCookie } from "../support/next-scope";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { delta, expectFieldRefusal, fc, formData, formValue, holds, hostileAddress, rowCounts, show, type ActionStateLike, type FormValue } from "./support";

let penv: PortalEnv;
let cookie: string;
let adminId: string;
const targets: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  process.env.PORTAL_URL = "http://localhost:3000";
  penv = await startPortalEnv("fuzz-settings");
  const { db } = await import("@/lib/db");
  const admin = await db().user.create({ data: { email: "ada.admin@example.com", name: "Ada Admin", role: "admin" } });
  adminId = admin.id;
  cookie = await sessionCookie(admin);
  // People an admin may change: a second admin (so demoting them never hits the last-admin rule) and a sender.
  for (const [email, role] of [["bo.admin@example.com", "admin"], ["sam.sender@example.com", "sender"]] as const) {
    targets.push((await db().user.create({ data: { email, name: email, role } })).id);
  }
  for (let i = 0; i < 400; i++) {
    const r = await db().accessRequest.create({
      data: { tenantId: penv.tenantId, entraTid: penv.sb.endpoints.tenant.id.toLowerCase(), entraObjectId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, email: `req${i}@contoso.example`, name: `Requester ${i}` },
    });
    requests.push(r.id);
  }
});

afterAll(async () => {
  await penv?.close();
});

type Fields = Record<string, FormValue | undefined>;
const mostly = <T,>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<FormValue | undefined>, goodWeight = 4) => fc.oneof({ weight: goodWeight, arbitrary: good }, { weight: 1, arbitrary: bad });
const hostileId = fc.oneof(formValue(), fc.constantFrom("cm0000000000000000000000", "x".repeat(65), "../tenants", "1 OR 1=1"));

async function call(act: (prev: never, fd: FormData) => Promise<unknown>, fields: Fields) {
  const req = portalRequest("/settings", { cookie });
  return (await inRequestScope(req, () => act({ status: "idle" } as never, formData(fields)))) as ActionStateLike;
}

describe("Settings → Retention with 1,000 generated forms", () => {
  it("saves exactly the tenant's retention and its audit event, or refuses naming the field with nothing saved", async () => {
    const { updateRetentionAction } = await import("@/app/(portal)/settings/retention/actions");
    const { db } = await import("@/lib/db");
    let saved = 0;
    const form = fc.record({
      tenantId: mostly(fc.constant(penv.tenantId), hostileId),
      retentionDays: mostly(fc.integer({ min: 1, max: 3650 }).map(String), fc.oneof(formValue(), fc.constantFrom("0", "-1", "3651", "1.5", "1e3", " 30 ", "0x10", "Infinity", "NaN", "", "9".repeat(400)).map((v) => v as FormValue))),
      metadataOnly: fc.option(fc.oneof(fc.constantFrom("on", "true", "false", "off"), formValue()), { nil: undefined }),
    });
    await holds("retention", form, async (fields) => {
      const ctx = show(fields);
      const before = await rowCounts();
      const state = await call(updateRetentionAction, fields);
      const d = delta(before, await rowCounts());
      if (state.status === "ok") {
        saved++;
        expect(d, ctx).toEqual({ AuditEvent: 1 });
        const t = await db().tenant.findUniqueOrThrow({ where: { id: penv.tenantId } });
        expect(t.retentionDays, ctx).toBe(Number(fields.retentionDays));
        expect(t.metadataOnly, ctx).toBe(fields.metadataOnly === "on" || fields.metadataOnly === "true");
      } else {
        expectFieldRefusal(state, ["tenantId", "retentionDays", "metadataOnly"], ctx);
        expect(d, ctx).toEqual({});
      }
    });
    expect(saved).toBeGreaterThan(50);
  }, 300_000);
});

describe("Settings → Users with 1,500 generated forms across its five actions", () => {
  it("each action saves exactly its rows, or refuses naming the field with nothing saved", async () => {
    const actions = await import("@/app/(portal)/settings/users/actions");
    const { db } = await import("@/lib/db");
    const role = mostly(fc.constantFrom("admin", "sender", "auditor"), fc.oneof(formValue(), fc.constantFrom("Admin", "owner", "admin ", "root")));
    const form = fc.oneof(
      fc.record({ kind: fc.constant("updateUser" as const), userId: mostly(fc.constantFrom(...targets), fc.oneof(hostileId, fc.constant(adminId))), role: fc.option(role, { nil: undefined }), disabled: fc.option(mostly(fc.constantFrom("true", "false"), formValue()), { nil: undefined }) }),
      fc.record({ kind: fc.constant("admission" as const), tenantId: mostly(fc.constant(penv.tenantId), hostileId), admission: mostly(fc.constantFrom("invitation", "approval", "automatic"), formValue()), admissionRole: mostly(fc.constantFrom("sender", "auditor"), fc.oneof(fc.constant("admin"), formValue())) }),
      fc.record({ kind: fc.constant("invite" as const), tenantId: mostly(fc.constant(penv.tenantId), hostileId), email: mostly(fc.emailAddress(), fc.oneof(hostileAddress, formValue())), role }),
      fc.record({ kind: fc.constant("revoke" as const), invitationId: mostly(fc.constant("latest"), hostileId, 2) }),
      fc.record({ kind: fc.constant("decide" as const), requestId: mostly(fc.nat(requests.length - 1).map((i) => requests[i]!), hostileId), decision: mostly(fc.constantFrom("approve", "reject"), fc.oneof(formValue(), fc.constantFrom("Approve", "approved", "decline"))), role }),
    );
    const accepted: Record<string, number> = {};
    await holds("users", form, async ({ kind, ...raw }) => {
      const fields = raw as Fields;
      if (fields.invitationId === "latest") {
        fields.invitationId = (await db().invitation.findFirst({ where: { revokedAt: null }, orderBy: { createdAt: "desc" }, select: { id: true } }))?.id ?? "none";
      }
      const ctx = `${kind} ${show(fields)}`;
      const before = await rowCounts();
      const act = { updateUser: actions.updateUserAction, admission: actions.updateAdmissionAction, invite: actions.inviteUserAction, revoke: actions.revokeInvitationAction, decide: actions.decideAccessRequestAction }[kind];
      const state = await call(act, fields);
      const d = delta(before, await rowCounts());
      if (state.status !== "ok") {
        expectFieldRefusal(state, Object.keys(fields), ctx);
        expect(d, ctx).toEqual({});
        return;
      }
      accepted[kind] = (accepted[kind] ?? 0) + 1;
      if (kind === "updateUser") {
        expect(d, ctx).toEqual({ AuditEvent: 1 });
        const u = await db().user.findUniqueOrThrow({ where: { id: String(fields.userId) } });
        if (fields.role !== undefined) expect(u.role, ctx).toBe(fields.role);
        if (fields.disabled !== undefined) expect(u.disabled, ctx).toBe(fields.disabled === "true");
      } else if (kind === "admission") {
        expect(d, ctx).toEqual({ AuditEvent: 1 });
        const t = await db().tenant.findUniqueOrThrow({ where: { id: penv.tenantId } });
        expect([t.admission, t.admissionRole], ctx).toEqual([fields.admission, fields.admissionRole]);
      } else if (kind === "invite") {
        expect(d, ctx).toEqual({ Invitation: 1, AuditEvent: 1 });
        const inv = await db().invitation.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
        expect([inv.email, inv.role, inv.tenantId], ctx).toEqual([String(fields.email).trim().toLowerCase(), fields.role, penv.tenantId]);
      } else if (kind === "revoke") {
        expect(d, ctx).toEqual({ AuditEvent: 1 });
        expect((await db().invitation.findUniqueOrThrow({ where: { id: String(fields.invitationId) } })).revokedAt, ctx).not.toBeNull();
      } else {
        const r = await db().accessRequest.findUniqueOrThrow({ where: { id: String(fields.requestId) } });
        if (fields.decision === "approve") {
          expect(d, ctx).toEqual({ User: 1, AuditEvent: 1 });
          expect([r.status, r.role], ctx).toEqual(["approved", fields.role]);
          expect((await db().user.findUniqueOrThrow({ where: { id: r.userId! } })).email, ctx).toBe(r.email);
        } else {
          expect(d, ctx).toEqual({ AuditEvent: 1 });
          expect(r.status, ctx).toBe("rejected");
        }
      }
    }, { numRuns: 1500 });
    // Every action's accepting branch ran, not only its refusals.
    expect(Object.keys(accepted).sort()).toEqual(["admission", "decide", "invite", "revoke", "updateUser"]);
  }, 400_000);
});
