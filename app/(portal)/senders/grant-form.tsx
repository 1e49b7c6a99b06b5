"use client";
import { Button } from "@/components/ui/button";
import { FieldFrame } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { grantAction } from "./actions";

export interface Choice {
  value: string;
  label: string;
}

interface Props {
  tenantId: string;
  mailboxId: string;
  address: string;
  people: Choice[];
  groups: Choice[];
}

/** One select for people and groups (grouped), so a grant always names exactly one principal. */
export function GrantForm({ tenantId, mailboxId, address, people, groups }: Props) {
  const { state, formAction, pending, fields, values } = useFormAction(grantAction);
  const id = `grant-${mailboxId}`;
  return (
    <form action={formAction} className="min-w-64 space-y-2" aria-label={`Grant ${address}`}>
      <input type="hidden" name="tenantId" value={tenantId} />
      <input type="hidden" name="mailboxId" value={mailboxId} />
      <FieldFrame id={id} label={`Grant ${address} to`} error={fields?.grantee}>
        {(aria) => (
          <select name="grantee" required defaultValue={values?.grantee ?? ""} {...aria}>
            <option value="" disabled>
              Choose a person or a group…
            </option>
            {groups.length > 0 ? (
              <optgroup label="Groups">
                {groups.map((g) => (
                  <option key={g.value} value={g.value}>
                    {g.label}
                  </option>
                ))}
              </optgroup>
            ) : null}
            <optgroup label="People">
              {people.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </optgroup>
          </select>
        )}
      </FieldFrame>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Granting…" : "Grant"}
      </Button>
      {/* A refusal about the choice shows at the select; anything else (and "Granted.") here and as a toast. */}
      <FormMessage state={fields?.grantee ? { status: "idle" } : state} />
    </form>
  );
}
