import type { Metadata } from "next";
import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { SelectField } from "@/components/ui/select-field";
import { ScriptBlock } from "@/components/wizard/script-block";
import { pageUser } from "@/lib/auth/page-user";
import { AppError, fieldErrors } from "@/lib/errors";
import { paramsRecord } from "@/lib/schemas/history";
import { MODULE_TRANSPORTS, moduleQuerySchema, TRANSPORT_LABELS } from "@/lib/schemas/scripts-module";
import type { BuiltModule } from "@/lib/scripts/module/build-module";
import { listModuleTenants } from "@/lib/scripts/module/list-module-tenants";
import { moduleForTenant } from "@/lib/scripts/module/module-for-tenant";

export const metadata: Metadata = { title: "PowerShell module" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const TRANSPORT_HINTS = {
  api: "Every message is logged in History, limited to the key's mailboxes, recipient domains, size and rate; large files go through the API's upload. Needs an API key from the API keys page.",
  graph: "No portal in between: the script signs in as the tenant's app with a certificate from the computer's certificate store or a .pfx file. Needs the certificate uploaded to the app registration.",
} as const;

/** The drop-in module Send-GraphMailMessage for a tenant and transport: each file with copy and download, and the folder as a zip. */
export default async function ModulePage({ searchParams }: { searchParams: SearchParams }) {
  const user = await pageUser(["admin"]);
  const tenants = await listModuleTenants(user);
  const raw = paramsRecord(await searchParams);
  const parsed = moduleQuerySchema.safeParse({ tenant: tenants[0]?.id ?? "", ...raw });
  const errors: Record<string, string> = parsed.success ? {} : fieldErrors(parsed.error.issues);
  const choice = parsed.success ? parsed.data : { tenant: tenants[0]?.id ?? "", transport: "api" as const, from: null };
  const tenant = tenants.find((t) => t.id === choice.tenant);

  let built: BuiltModule | null = null;
  if (parsed.success && tenant) {
    try {
      built = (await moduleForTenant(user, parsed.data)).built;
    } catch (err) {
      if (!(err instanceof AppError) || !err.fields) throw err;
      Object.assign(errors, err.fields);
    }
  } else if (parsed.success && tenants.length > 0) {
    errors.tenant = "Choose a tenant from the list";
  }
  const query = new URLSearchParams({ tenant: choice.tenant, transport: choice.transport, ...(choice.from ? { from: choice.from } : {}) });
  const download = `/api/scripts/module?${query.toString()}`;

  return (
    <>
      <PageHeader
        title="PowerShell module"
        description="Send-GraphMailMessage takes the parameters of Send-MailMessage, so scheduled scripts keep working after SMTP basic authentication is switched off: install the module and replace the cmdlet's name. It runs on Windows PowerShell 5.1 and PowerShell 7."
        actions={
          <Link href="/scripts" className={buttonClass("ghost")}>
            Back to Scripts
          </Link>
        }
      />
      {tenants.length === 0 ? (
        <Card>
          <p className="text-sm">
            Add a tenant first (<Link href="/setup" className="underline">Setup</Link>): the module is generated for one tenant.
          </p>
        </Card>
      ) : (
        <>
          <Card title="For which tenant, and how it sends">
            <form method="get" action="/scripts/module" className="grid gap-4 md:grid-cols-2">
              <SelectField name="tenant" label="Tenant" defaultValue={choice.tenant} error={errors.tenant} options={tenants.map((t) => ({ value: t.id, label: t.name }))} />
              <SelectField
                name="from"
                label="Default sender (optional)"
                defaultValue={choice.from ?? ""}
                error={errors.from}
                options={[{ value: "", label: "None: every call gives -From" }, ...(tenant?.senders ?? []).map((a) => ({ value: a, label: a }))]}
              />
              <fieldset className="md:col-span-2" aria-describedby={errors.transport ? "transport-error" : undefined}>
                <legend className="mb-1 text-sm font-medium">Transport</legend>
                <div className="space-y-2">
                  {MODULE_TRANSPORTS.map((t) => (
                    <label key={t} className="flex items-start gap-2 text-sm">
                      <input type="radio" name="transport" value={t} defaultChecked={choice.transport === t} className="mt-1" />
                      <span>
                        <strong>{TRANSPORT_LABELS[t]}</strong>
                        <span className="block text-slate-600 dark:text-slate-400">{TRANSPORT_HINTS[t]}</span>
                      </span>
                    </label>
                  ))}
                </div>
                {errors.transport ? (
                  <p id="transport-error" role="alert" className="mt-1 text-sm text-red-600 dark:text-red-400">
                    {errors.transport}
                  </p>
                ) : null}
              </fieldset>
              <div className="md:col-span-2">
                <button type="submit" className={buttonClass("secondary")}>
                  Show the module
                </button>
              </div>
            </form>
          </Card>
          {built && tenant ? (
            <>
              <Card title={`GraphMail for ${tenant.name}`} className="mt-4">
                <p className="mb-3 text-sm">
                  Extract the zip into a folder of <code>$env:PSModulePath</code> (for example{" "}
                  <code>C:\Program Files\WindowsPowerShell\Modules</code>), then <code>Import-Module GraphMail</code>. The{" "}
                  {choice.transport === "api" ? "API key" : "certificate"} is not in the files: README.txt says where the module reads it from.
                </p>
                <a href={download} download="GraphMail.zip" className={buttonClass("primary")}>
                  Download the module (.zip)
                </a>
              </Card>
              <div className="mt-4 grid gap-4">
                {built.files.map((f) => {
                  const name = f.path.split("/").pop()!;
                  return <ScriptBlock key={f.path} title={f.path} text={f.content} filename={name} downloadHref={`${download}&file=${encodeURIComponent(name)}`} />;
                })}
              </div>
            </>
          ) : null}
        </>
      )}
    </>
  );
}
