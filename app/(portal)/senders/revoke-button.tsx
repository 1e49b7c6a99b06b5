"use client";
import { RemoveButton } from "@/components/ui/remove-button";
import { revokeAction } from "./actions";

/** Removes one grant; the accessible name says whose and which mailbox ("Remove HR team from hr@contoso.com"). */
export function RevokeButton({ tenantId, grantId, label }: { tenantId: string; grantId: string; label: string }) {
  return <RemoveButton action={revokeAction} fields={{ tenantId, grantId }} label={label} />;
}
