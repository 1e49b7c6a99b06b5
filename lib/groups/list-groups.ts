import "server-only";
import type { Role } from "@/generated/prisma/enums";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

export interface PersonView {
  id: string;
  name: string | null;
  email: string;
  role: Role;
  disabled: boolean;
}

export interface GroupView {
  id: string;
  name: string;
  description: string | null;
  members: PersonView[];
  /** The sender mailboxes granted to the group, with their tenant's name. */
  mailboxes: { address: string; tenantName: string }[];
}

/** Portal groups with their members and mailboxes, and the people an admin may pick as members or grantees. */
export async function listGroups(actor: SessionUser): Promise<{ groups: GroupView[]; people: PersonView[] }> {
  if (actor.role !== "admin") throw forbidden("manage groups");
  const person = { id: true, name: true, email: true, role: true, disabled: true } as const;
  const [groups, people] = await Promise.all([
    db().portalGroup.findMany({
      orderBy: { name: "asc" },
      select: {
        id: true,
        name: true,
        description: true,
        members: { select: { user: { select: person } }, orderBy: { user: { email: "asc" } } },
        grants: { select: { mailbox: { select: { address: true, tenant: { select: { name: true } } } } }, orderBy: { mailbox: { address: "asc" } } },
      },
    }),
    db().user.findMany({ orderBy: [{ name: "asc" }, { email: "asc" }], select: person }),
  ]);
  return {
    groups: groups.map((g) => ({
      id: g.id,
      name: g.name,
      description: g.description,
      members: g.members.map((m) => m.user),
      mailboxes: g.grants.map((x) => ({ address: x.mailbox.address, tenantName: x.mailbox.tenant.name })),
    })),
    people,
  };
}
