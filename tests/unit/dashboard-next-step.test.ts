import { describe, expect, it } from "vitest";
import { nextStep, type NextStepInput } from "@/lib/dashboard/next-step";
import type { TenantAttention } from "@/lib/dashboard/tenant-attention";

const demo: TenantAttention = {
  tenantId: "t1",
  tenantName: "Sandbox (Contoso demo)",
  kind: "setup",
  problem: 'Setup not finished: next step "Admin consent".',
  href: "/setup/t1/consent",
  action: "Continue setup",
};
const unproved: TenantAttention = { ...demo, tenantId: "t2", tenantName: "Fabrikam", kind: "proof", problem: "The restriction changed after it was proved: prove it again.", href: "/setup/t2/prove", action: "Prove the restriction" };
const base: NextStepInput = { role: "admin", tenantCount: 1, attention: [], expiring: [], grantedMailboxCount: 1, myMailboxes: ["ops@contoso.com"], canSend: true };

describe("the dashboard's next step", () => {
  it("sends an admin without a tenant to add one", () => {
    expect(nextStep({ ...base, tenantCount: 0 })).toMatchObject({ href: "/setup/new", action: "Add your Microsoft 365 tenant" });
  });

  it("in demo mode (a sandbox tenant exists before any setup) links to that tenant's exact wizard step", () => {
    const next = nextStep({ ...base, attention: [unproved, demo], grantedMailboxCount: 0, myMailboxes: [] });
    expect(next).toEqual({ reason: 'Sandbox (Contoso demo): Setup not finished: next step "Admin consent".', href: "/setup/t1/consent", action: "Continue setup" });
  });

  it("asks for proof again after a restriction change, before anything else is suggested", () => {
    expect(nextStep({ ...base, attention: [unproved] })).toMatchObject({ href: "/setup/t2/prove", action: "Prove the restriction", reason: expect.stringContaining("prove it again") });
  });

  it("sends the admin to rotate the tenant credential that expires first", () => {
    const next = nextStep({
      ...base,
      expiring: [
        { tenantName: "A", name: "App secret", daysLeft: 20, href: "/settings/credentials/a" },
        { tenantName: "B", name: "App certificate", daysLeft: -2, href: "/settings/credentials/b" },
      ],
    });
    expect(next).toMatchObject({ href: "/settings/credentials/b", action: "Rotate the credential", reason: "B: the App certificate has expired; sends stop when it does." });
  });

  it("when everything is set up: grant senders, then grant yourself, then send", () => {
    expect(nextStep({ ...base, grantedMailboxCount: 0, myMailboxes: [] })).toMatchObject({ href: "/senders", action: "Grant senders" });
    expect(nextStep({ ...base, myMailboxes: [] })).toMatchObject({ href: "/senders", action: "Grant yourself a mailbox" });
    expect(nextStep(base)).toMatchObject({ href: "/compose", action: "New message", reason: "Everything is set up. You may send as ops@contoso.com." });
  });

  it("never sends senders or auditors to the tenants they cannot act on", () => {
    const sender = nextStep({ ...base, role: "sender", tenantCount: null, attention: [demo] });
    expect(sender).toMatchObject({ href: "/compose", action: "New message" });
    const auditor = nextStep({ ...base, role: "auditor", canSend: false, myMailboxes: [], attention: [demo] });
    expect(auditor).toMatchObject({ href: "/history", action: "Browse sends" });
  });
});
