"use client";
import { useState } from "react";
import { createRunAction } from "@/app/(portal)/bulk/actions";
import { Button } from "@/components/ui/button";
import { Field, FieldFrame } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import type { BulkSender } from "@/lib/bulk/sender-options";

/** Step 1 of a bulk run: the From mailbox and where the recipients come from (the directory or a CSV). */
export function NewRunForm({ senders, today }: { senders: BulkSender[]; today: string }) {
  const { state, formAction, pending, fields, values } = useFormAction(createRunAction);
  const [sender, setSender] = useState(() => Math.max(0, senders.findIndex((s) => `${s.tenantId}|${s.address}` === `${values?.tenantId}|${values?.from}`)));
  const chosen = senders[sender] ?? senders[0]!;
  const [source, setSource] = useState<string>(values?.source ?? (chosen.directory ? "directory" : "csv"));
  const [csv, setCsv] = useState(values?.csv ?? "");
  const weekAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);

  async function readFile(file: File | undefined) {
    if (file) setCsv(await file.text());
  }

  return (
    <form action={formAction} className="max-w-2xl space-y-5" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="tenantId" value={chosen.tenantId} />
      <input type="hidden" name="from" value={chosen.address} />
      <FieldFrame id="field-sender" label="From" error={fields?.from ?? fields?.tenantId} hint="A mailbox granted to you; the messages go out as it.">
        {(aria) => (
          <select {...aria} value={sender} onChange={(e) => setSender(Number(e.target.value))}>
            {senders.map((s, i) => (
              <option key={`${s.tenantId}|${s.address}`} value={i}>{s.address} ({s.tenantName})</option>
            ))}
          </select>
        )}
      </FieldFrame>
      <Field name="name" label="Name of the run (optional)" maxLength={120} defaultValue={values?.name} error={fields?.name} hint="Shown in the list of runs, e.g. Welcome — December starters." />
      <fieldset className="space-y-2" aria-describedby={fields?.source ? "source-error" : undefined}>
        <legend className="text-sm font-medium">Recipients</legend>
        <label className="flex items-start gap-2 text-sm">
          <input type="radio" name="source" value="directory" checked={source === "directory"} onChange={() => setSource("directory")} disabled={!chosen.directory} className="mt-1" />
          <span>
            Users created since a date (from Microsoft Entra ID)
            <span className="block text-xs text-slate-500 dark:text-slate-400">
              {chosen.directory
                ? "The tenant's users whose account was created on or after the date and who have a mailbox."
                : `Not available for ${chosen.tenantName}: an admin turns on "Welcome new users" in the tenant's setup, which asks for User.Read.All to list users.`}
            </span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="radio" name="source" value="csv" checked={source === "csv"} onChange={() => setSource("csv")} className="mt-1" />
          <span>
            A CSV file or pasted list
            <span className="block text-xs text-slate-500 dark:text-slate-400">First row: column names, one of them <code>email</code>. Every column becomes a placeholder.</span>
          </span>
        </label>
        {fields?.source ? <p id="source-error" role="alert" className="text-sm text-red-600 dark:text-red-400">{fields.source}</p> : null}
      </fieldset>
      {source === "directory" ? (
        <Field name="since" type="date" label="Created on or after" max={today} defaultValue={values?.since ?? weekAgo} error={fields?.since} hint="Midnight UTC of that day." />
      ) : (
        <>
          <FieldFrame id="field-csv" label="CSV" error={fields?.csv} hint={'For example: email,First name,Team — then one line per person. Quotes ("…") may hold commas and line breaks.'}>
            {(aria) => <textarea name="csv" rows={8} spellCheck={false} value={csv} onChange={(e) => setCsv(e.target.value)} {...aria} className={`${aria.className} font-mono`} />}
          </FieldFrame>
          <label className="block text-sm">
            <span className="font-medium">Or choose a CSV file</span>
            <input type="file" accept=".csv,text/csv,text/plain" className="mt-1 block text-sm" onChange={(e) => void readFile(e.target.files?.[0])} />
          </label>
        </>
      )}
      <Button type="submit" disabled={pending}>{pending ? "Reading recipients…" : "Continue"}</Button>
    </form>
  );
}
