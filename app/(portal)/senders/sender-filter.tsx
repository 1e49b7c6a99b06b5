import { buttonClass } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { SelectField } from "@/components/ui/select-field";

interface Props {
  tenants: { id: string; name: string }[];
  tenantId: string;
  q: string;
  qError?: string;
}

/** A plain GET form: the tenant and the search live in the URL, so a view can be shared and works without JavaScript. */
export function SenderFilter({ tenants, tenantId, q, qError }: Props) {
  return (
    <form method="get" action="/senders" role="search" aria-label="Find sender mailboxes" className="grid gap-3 sm:grid-cols-[minmax(12rem,1fr)_2fr_auto] sm:items-end">
      <SelectField name="tenant" label="Tenant" defaultValue={tenantId} options={tenants.map((t) => ({ value: t.id, label: t.name }))} />
      <Field name="q" label="Search" type="search" placeholder="Mailbox address, person or group" defaultValue={q} error={qError} />
      <button type="submit" className={buttonClass("secondary")}>
        Show
      </button>
    </form>
  );
}
