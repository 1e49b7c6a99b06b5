import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { SelectField } from "@/components/ui/select-field";

interface Props {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** Action names that occur in the trail. */
  actions: string[];
  tenants: { id: string; name: string }[];
  /** Prefix of the controls' ids: the drawer's copy of the form (narrow screens) must not repeat the page's. */
  idPrefix?: string;
}

/** "tenant.*" for each family of actions ("tenant.created", "tenant.updated" …), then each action. */
export function actionOptions(actions: string[], current: string): { value: string; label: string }[] {
  const families = [...new Set(actions.filter((a) => a.includes(".")).map((a) => a.slice(0, a.indexOf(".") + 1)))];
  const options = [
    { value: "", label: "Any action" },
    ...families.map((f) => ({ value: `${f}*`, label: `${f}* (every ${f.slice(0, -1)} action)` })),
    ...actions.map((a) => ({ value: a, label: a })),
  ];
  // A shared link may name an action not in the list (yet): keep it selectable so the form shows it.
  if (current && !options.some((o) => o.value === current)) options.push({ value: current, label: current });
  return options;
}

/**
 * The audit filters as a plain GET form: applying them changes the URL, so a view can be bookmarked or
 * shared, and it works without JavaScript.
 */
export function AuditFilterForm({ values, errors, actions, tenants, idPrefix = "field" }: Props) {
  const v = (k: string) => values[k] ?? "";
  const id = (k: string) => `${idPrefix}-${k}`;
  return (
    <form method="get" action="/audit" role="search" aria-label="Filter audit events" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
      <SelectField name="action" id={id("action")} label="Action" defaultValue={v("action")} error={errors.action} options={actionOptions(actions, v("action"))} />
      <Field name="actor" id={id("actor")} label="Who (name or email)" type="text" placeholder="ada or @contoso.com" defaultValue={v("actor")} error={errors.actor} />
      <SelectField
        name="tenant" id={id("tenant")}
        label="Tenant"
        defaultValue={v("tenant")}
        error={errors.tenant}
        options={[
          { value: "", label: "All tenants" },
          ...tenants.map((t) => ({ value: t.id, label: t.name })),
          ...(v("tenant") && !tenants.some((t) => t.id === v("tenant")) ? [{ value: v("tenant"), label: v("tenant") }] : []),
        ]}
      />
      <Field name="q" id={id("q")} label="Search target or action" type="search" placeholder="user@contoso.com" defaultValue={v("q")} error={errors.q} />
      <Field name="from" id={id("from")} label="From date" type="date" defaultValue={v("from")} error={errors.from} />
      <Field name="to" id={id("to")} label="To date" type="date" defaultValue={v("to")} error={errors.to} />
      <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-3">
        <button type="submit" className={buttonClass()}>
          Apply filters
        </button>
        <Link href="/audit" className={buttonClass("ghost")}>
          Clear
        </Link>
      </div>
    </form>
  );
}
