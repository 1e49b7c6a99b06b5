"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { addGroupMember } from "@/lib/groups/add-group-member";
import { createGroup, createGroupSchema } from "@/lib/groups/create-group";
import { deleteGroup } from "@/lib/groups/delete-group";
import { removeGroupMember } from "@/lib/groups/remove-group-member";

const id = z.string().min(1).max(64);
const what = "manage groups";

function refresh() {
  revalidatePath("/settings/groups");
  revalidatePath("/senders"); // its grant choices and member counts
}

export const createGroupAction = action({ schema: createGroupSchema, roles: ["admin"], what }, async (input, { user }) => {
  const g = await createGroup(user!, { name: input.name, description: input.description ?? undefined });
  refresh();
  return { status: "ok", message: `Group ${g.name} created. Add its members below.` };
});

export const deleteGroupAction = action({ schema: z.object({ groupId: id }), roles: ["admin"], what }, async (input, { user }) => {
  await deleteGroup(user!, input);
  refresh();
  return { status: "ok", message: "Group deleted." };
});

const memberSchema = z.object({ groupId: id, userId: z.string({ error: "Choose a person" }).min(1, "Choose a person").max(64) });

export const addMemberAction = action({ schema: memberSchema, roles: ["admin"], what }, async (input, { user }) => {
  await addGroupMember(user!, input);
  refresh();
  return { status: "ok", message: "Member added." };
});

export const removeMemberAction = action({ schema: memberSchema, roles: ["admin"], what }, async (input, { user }) => {
  await removeGroupMember(user!, input);
  refresh();
  return { status: "ok", message: "Member removed." };
});
