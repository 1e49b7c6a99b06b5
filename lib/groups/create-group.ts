import "server-only";
import { z } from "zod";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden } from "../errors";
import { parseInput } from "../validate";
import { recordAudit } from "../audit/record";

const oneLine = (v: string) => !/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(v);

export const createGroupSchema = z.object({
  name: z
    .string({ error: "Enter a group name" })
    .trim()
    .min(1, "Enter a group name, such as HR team")
    .max(80, "The group name is too long (80 characters at most)")
    .refine(oneLine, "The group name must be one line"),
  description: z
    .string()
    .trim()
    .max(200, "The description is too long (200 characters at most)")
    .refine(oneLine, "The description must be one line")
    .optional()
    .transform((v) => v || null),
});

/** A portal group ("HR team"): sender grants given to it apply to each member. Names are unique. */
export async function createGroup(actor: SessionUser, raw: { name: string; description?: string }): Promise<{ id: string; name: string }> {
  if (actor.role !== "admin") throw forbidden("manage groups");
  const { name, description } = parseInput(createGroupSchema, raw, { fallback: "name", summary: "first" });
  const duplicate = () => {
    const message = `A group named "${name}" exists already. Choose another name.`;
    return new AppError("GROUP_EXISTS", { userMessage: message, status: 409, fields: { name: message } });
  };
  // The unique index is case-sensitive; "HR team" and "hr team" side by side would only confuse people.
  if (await db().portalGroup.findFirst({ where: { name: { equals: name, mode: "insensitive" } }, select: { id: true } })) throw duplicate();
  try {
    return await db().$transaction(async (tx) => {
      const g = await tx.portalGroup.create({ data: { name, description }, select: { id: true, name: true } });
      await recordAudit({ actor, action: "group.created", target: name, after: { name, description } }, tx);
      return g;
    });
  } catch (err) {
    if (err && typeof err === "object" && (err as { code?: string }).code === "P2002") throw duplicate();
    throw err;
  }
}
