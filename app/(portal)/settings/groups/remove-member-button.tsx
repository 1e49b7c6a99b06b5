"use client";
import { RemoveButton } from "@/components/ui/remove-button";
import { removeMemberAction } from "./actions";

/** Takes one person out of a group; the accessible name says who and which group. */
export function RemoveMemberButton({ groupId, userId, label }: { groupId: string; userId: string; label: string }) {
  return <RemoveButton action={removeMemberAction} fields={{ groupId, userId }} label={label} />;
}
