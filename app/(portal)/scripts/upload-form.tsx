"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Field, FieldFrame } from "@/components/ui/field";
import { SelectField } from "@/components/ui/select-field";

interface Result {
  created: { id: string; name: string; callsFound: number; convertedCount: number; attentionCount: number }[];
  refused: { name: string; reason: string }[];
}

/**
 * The page's primary action: scripts to convert (files, a zip, or a pasted script) for one tenant. Posted to
 * /api/scripts as multipart (a zip may be larger than a server action takes).
 */
export function UploadForm({ tenants, tenantId }: { tenants: { id: string; name: string }[]; tenantId: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    setPending(true);
    setFields({});
    setMessage(null);
    try {
      const res = await fetch("/api/scripts", { method: "POST", body: new FormData(form) });
      const body = (await res.json().catch(() => null)) as (Result & { error?: { message?: string; fields?: Record<string, string> } }) | null;
      if (res.status === 201 && body) {
        setResult(body);
        form.reset();
        toast.success(`${body.created.length} script${body.created.length === 1 ? "" : "s"} converted.`);
        router.refresh();
      } else {
        setFields(body?.error?.fields ?? {});
        setMessage(body?.error?.message ?? `The upload failed (HTTP ${res.status}).`);
      }
    } catch {
      setMessage("The portal could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  }

  if (tenants.length === 0) return <p className="text-sm">Connect a tenant on the Setup page first: scripts are kept per tenant.</p>;
  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2" aria-label="Convert scripts" noValidate>
        <SelectField name="tenantId" label="Tenant" defaultValue={tenantId} options={tenants.map((t) => ({ value: t.id, label: t.name }))} error={fields.tenantId} />
        <Field
          name="modulePath"
          label="Module to import"
          placeholder="GraphMail"
          hint="Its name (installed in a PSModulePath folder) or the path of GraphMail.psd1 on the machines that run the scripts."
          error={fields.modulePath}
        />
        <FieldFrame id="field-files" label="Script files (.ps1, .psm1) or a .zip of them" error={fields.files} className="sm:col-span-2" hint="Up to 100 scripts of 1 MB each, 8 MB in all (zipped scripts take far less).">
          {(aria) => <input type="file" name="files" multiple accept=".ps1,.psm1,.zip" {...aria} className="block w-full text-sm" />}
        </FieldFrame>
        <FieldFrame id="field-pasted" label="Or paste a script" error={fields.pasted} className="sm:col-span-2">
          {(aria) => <textarea name="pasted" rows={6} spellCheck={false} {...aria} className={`${aria.className} font-mono`} />}
        </FieldFrame>
        <Field name="pastedName" label="Name of the pasted script" placeholder="pasted.ps1" error={fields.pastedName} />
        <div className="flex items-end">
          <Button type="submit" disabled={pending}>
            {pending ? "Converting…" : "Convert"}
          </Button>
        </div>
        {message ? (
          <div role="alert" className="sm:col-span-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
            {message}
          </div>
        ) : null}
      </form>
      {result ? (
        <section aria-label="Conversion result" className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-800" data-testid="upload-result">
          <ul className="space-y-1">
            {result.created.map((c) => (
              <li key={c.id}>
                <Link href={`/scripts/${c.id}`} className="text-brand-600 underline">
                  {c.name}
                </Link>
                : {c.convertedCount} of {c.callsFound} call{c.callsFound === 1 ? "" : "s"} converted
                {c.attentionCount ? `, ${c.attentionCount} to look at` : ""}
              </li>
            ))}
            {result.refused.map((r, i) => (
              <li key={`r${i}`} className="text-red-700 dark:text-red-300">
                {r.name}: {r.reason}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
