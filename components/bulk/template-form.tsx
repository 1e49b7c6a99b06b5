"use client";
import { useState } from "react";
import { saveTemplateAction } from "@/app/(portal)/bulk/actions";
import { Button } from "@/components/ui/button";
import { Field, FieldFrame } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";

type Attached = { name: string; size: number };

/** Step 2 of a bulk run: subject and HTML body with placeholders, Cc, and one attachment for everyone. */
export function TemplateForm({ runId, placeholders, defaults, attachment }: { runId: string; placeholders: string[]; defaults: { subject: string; html: string; cc: string }; attachment: Attached | null }) {
  const { state, formAction, pending, fields, values } = useFormAction(saveTemplateAction);
  const [file, setFile] = useState<{ ref: string; info: Attached | null; status: string }>({ ref: attachment ? "keep" : "", info: attachment, status: "" });
  const example = `<p>Welcome to Contoso, {{${placeholders.includes("givenName") ? "givenName" : placeholders[0]}}}!</p>`;

  async function upload(f: File | undefined) {
    if (!f) return;
    setFile({ ref: "", info: null, status: `Uploading ${f.name}…` });
    const res = await fetch(`/api/uploads?name=${encodeURIComponent(f.name)}`, { method: "POST", headers: { "content-type": f.type || "application/octet-stream" }, body: f });
    const body = (await res.json().catch(() => ({}))) as { id?: string; name?: string; size?: number; error?: { message?: string } };
    if (!res.ok || !body.id) return setFile({ ref: "", info: null, status: body.error?.message ?? "The upload failed; choose the file again." });
    setFile({ ref: body.id, info: { name: body.name ?? f.name, size: body.size ?? f.size }, status: "Uploaded to the portal" });
  }

  return (
    <form action={formAction} className="max-w-3xl space-y-5" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="runId" value={runId} />
      <input type="hidden" name="attachment" value={file.ref} />
      <p id="placeholders" className="text-sm">
        Placeholders: {placeholders.map((p) => <code key={p} className="mr-2 rounded bg-slate-100 px-1 dark:bg-slate-800">{`{{${p}}}`}</code>)}
      </p>
      <Field name="subject" label="Subject" required maxLength={255} defaultValue={values?.subject ?? defaults.subject} error={fields?.subject} hint="For example: Welcome to Contoso, {{givenName}}" />
      <FieldFrame id="field-html" label="Message (HTML)" error={fields?.html} hint={`For example: ${example}`}>
        {(aria) => <textarea name="html" rows={10} spellCheck={false} defaultValue={values?.html ?? defaults.html} {...aria} className={`${aria.className} font-mono`} />}
      </FieldFrame>
      <Field name="cc" label="Cc (optional)" defaultValue={values?.cc ?? defaults.cc} error={fields?.cc} hint="Copied on every message, e.g. the HR manager. Separate addresses with commas." />
      <div className="space-y-1 text-sm">
        <label htmlFor="bulk-attachment" className="block font-medium">One attachment for everyone (optional)</label>
        <input id="bulk-attachment" type="file" aria-describedby="bulk-attachment-status" onChange={(e) => void upload(e.target.files?.[0])} />
        <p id="bulk-attachment-status" role="status" className="text-xs text-slate-500 dark:text-slate-400">
          {file.info ? `${file.info.name} (${Math.max(1, Math.round(file.info.size / 1024))} KB) ${file.status || "attached"}` : file.status || "Uploaded once, sent with every message."}
        </p>
        {file.info ? <button type="button" className="text-xs text-brand-600 underline" onClick={() => setFile({ ref: "", info: null, status: "" })}>Remove the attachment</button> : null}
        {fields?.attachment ? <p role="alert" className="text-sm text-red-600">{fields.attachment}</p> : null}
      </div>
      <Button type="submit" disabled={pending || file.status.startsWith("Uploading")}>{pending ? "Saving…" : "Save and preview"}</Button>
    </form>
  );
}
