import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { DELIVERY_FILTERS, DELIVERY_LABELS, MODE_LABELS, SEND_MODES, SEND_STATUSES, STATUS_LABELS, TERMS, TEST_FILTER_LABELS, TEST_FILTERS } from "@/lib/glossary";
import { SelectField } from "../ui/select-field";

interface Props {
  values: Record<string, string>;
  errors: Record<string, string>;
  tenants: { id: string; name: string }[] | null;
  /** Senders only see their own sends: the actor and key filters mean nothing to them. */
  showActor: boolean;
  /** Prefix of the controls' ids: the drawer's copy of the form (narrow screens) must not repeat the page's. */
  idPrefix?: string;
}

/**
 * The history filters as a plain GET form: applying them changes the URL, so any view can be
 * bookmarked or shared, and it works without JavaScript.
 */
export function FilterForm({ values, errors, tenants, showActor, idPrefix = "field" }: Props) {
  const v = (k: string) => values[k] ?? "";
  const id = (k: string) => `${idPrefix}-${k}`;
  return (
    <form method="get" action="/history" role="search" aria-label="Filter sends" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
      <Field name="q" id={id("q")} label="Search" type="search" placeholder="Subject or address" defaultValue={v("q")} error={errors.q} className="sm:col-span-2" />
      <SelectField
        name="status"
        id={id("status")}
        label="Status"
        defaultValue={v("status")}
        error={errors.status}
        options={[{ value: "", label: "Any status" }, ...SEND_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))]}
      />
      <SelectField
        name="delivery"
        id={id("delivery")}
        label="Delivery"
        defaultValue={v("delivery")}
        error={errors.delivery}
        options={[{ value: "", label: "Any delivery" }, ...DELIVERY_FILTERS.map((d) => ({ value: d, label: DELIVERY_LABELS[d] }))]}
      />
      <SelectField
        name="mode"
        id={id("mode")}
        label="Mode"
        defaultValue={v("mode")}
        error={errors.mode}
        options={[{ value: "", label: "Any mode" }, ...SEND_MODES.map((m) => ({ value: m, label: MODE_LABELS[m] }))]}
      />
      <Field name="sender" id={id("sender")} label="Sender (from)" type="text" inputMode="email" placeholder="hr@contoso.com" defaultValue={v("sender")} error={errors.sender} />
      <Field name="recipient" id={id("recipient")} label="Recipient" type="text" inputMode="email" placeholder="To, Cc or Bcc" defaultValue={v("recipient")} error={errors.recipient} />
      {tenants ? (
        <SelectField
          name="tenant"
          id={id("tenant")}
          label="Tenant"
          defaultValue={v("tenant")}
          error={errors.tenant}
          options={[{ value: "", label: "All tenants" }, ...tenants.map((t) => ({ value: t.id, label: t.name }))]}
        />
      ) : null}
      {showActor ? (
        <>
          <Field name="actor" id={id("actor")} label="Sent by (portal user)" type="text" inputMode="email" placeholder="someone@contoso.com" defaultValue={v("actor")} error={errors.actor} />
          <Field name="key" id={id("key")} label="API key (name or prefix)" type="text" defaultValue={v("key")} error={errors.key} />
          <Field name="device" id={id("device")} label="SMTP device (name or username)" type="text" defaultValue={v("device")} error={errors.device} />
          <SelectField
            name="tests"
            id={id("tests")}
            label={TERMS.wizardTests}
            defaultValue={v("tests")}
            error={errors.tests}
            options={(["", ...TEST_FILTERS] as const).map((t) => ({ value: t, label: TEST_FILTER_LABELS[t] }))}
          />
        </>
      ) : null}
      <Field name="from" id={id("from")} label="From date" type="date" defaultValue={v("from")} error={errors.from} />
      <Field name="to" id={id("to")} label="To date" type="date" defaultValue={v("to")} error={errors.to} />
      <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-4">
        <button type="submit" className={buttonClass()}>
          Apply filters
        </button>
        <Link href="/history" className={buttonClass("ghost")}>
          Clear
        </Link>
      </div>
    </form>
  );
}
