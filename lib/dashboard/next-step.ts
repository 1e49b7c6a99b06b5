import type { TenantAttention } from "./tenant-attention";

/** The dashboard's one next step: what to do now, why, and the exact place to do it. */
export interface NextStep {
  /** One sentence: what the portal found, in the glossary's words. */
  reason: string;
  href: string;
  /** The primary button's label. */
  action: string;
}

export interface NextStepInput {
  role: "admin" | "sender" | "auditor";
  tenantCount: number | null;
  /** Tenants that cannot send safely yet (lib/dashboard/tenant-attention.ts), in the dashboard's order. */
  attention: TenantAttention[];
  /** Tenant app credentials expiring within 30 days or expired (lib/credentials/list-credentials.ts). */
  expiring: { tenantName: string; name: string; daysLeft: number | null; href: string }[];
  /** Mailboxes that anyone (a user, a group, a key or a device) may send as. */
  grantedMailboxCount: number;
  /** The mailboxes the viewer may send as. */
  myMailboxes: string[];
  canSend: boolean;
}

/**
 * Decides the dashboard's next step, most urgent first, so demo mode (a "Sandbox (Contoso demo)" tenant
 * that exists before any setup) still says what to do: a tenant to add; a setup to continue at its exact
 * step; a restriction to prove (again, after a change); a tenant credential to rotate before it stops
 * sending; then, when everything is set up, senders to grant and a mail to send.
 * Only admins are sent to act on tenants: auditors read, senders send.
 */
export function nextStep(i: NextStepInput): NextStep {
  if (i.role === "admin") {
    if (!i.tenantCount) return { reason: "No Microsoft 365 tenant is connected yet: the setup wizard registers the app, restricts who it may send as and proves it.", href: "/setup/new", action: "Add your Microsoft 365 tenant" };
    const setup = i.attention.find((a) => a.kind === "setup");
    if (setup) return { reason: `${setup.tenantName}: ${setup.problem}`, href: setup.href, action: "Continue setup" };
    const proof = i.attention.find((a) => a.kind === "proof");
    if (proof) return { reason: `${proof.tenantName}: ${proof.problem}`, href: proof.href, action: proof.action };
    const credential = [...i.expiring].sort((a, b) => (a.daysLeft ?? 0) - (b.daysLeft ?? 0))[0];
    if (credential) {
      const when = credential.daysLeft === null ? "" : credential.daysLeft < 0 ? " has expired" : credential.daysLeft === 0 ? " expires today" : ` expires in ${credential.daysLeft} day${credential.daysLeft === 1 ? "" : "s"}`;
      return { reason: `${credential.tenantName}: the ${credential.name}${when || " expires soon"}; sends stop when it does.`, href: credential.href, action: "Rotate the credential" };
    }
    if (i.grantedMailboxCount === 0) return { reason: "Every tenant is set up and proved. Nobody may send as a mailbox yet: grant mailboxes to people, groups, API keys or devices.", href: "/senders", action: "Grant senders" };
    if (i.myMailboxes.length === 0) return { reason: "Every tenant is set up and proved. You may not send as any mailbox yourself yet: admins grant themselves on the Senders page too.", href: "/senders", action: "Grant yourself a mailbox" };
  }
  if (i.canSend && i.myMailboxes.length > 0) {
    return { reason: `${i.role === "admin" ? "Everything is set up. " : ""}You may send as ${i.myMailboxes.length === 1 ? i.myMailboxes[0] : `${i.myMailboxes.length} mailboxes`}.`, href: "/compose", action: "New message" };
  }
  if (i.canSend) return { reason: "No mailbox is granted to you yet: ask a portal admin for one (you may still send as yourself where your tenant allows it).", href: "/compose", action: "New message" };
  return { reason: "Auditors read: every send, with each Graph attempt, is in History.", href: "/history", action: "Browse sends" };
}
