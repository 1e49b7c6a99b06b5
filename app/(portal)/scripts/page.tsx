import type { Metadata } from "next";
import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { ENCODING_LABELS, type ScriptEncoding } from "@/lib/scripts/convert/encoding";
import { listScripts } from "@/lib/scripts/inventory/list-scripts";
import { scriptsFilterSchema } from "@/lib/schemas/scripts";
import { listTenants } from "@/lib/tenants/list-tenants";
import { DeleteScriptButton, ReconvertButton } from "./script-row-actions";
import { UploadForm } from "./upload-form";

export const metadata: Metadata = { title: "Scripts" };

const when = (d: Date) => d.toISOString().replace("T", " ").slice(0, 16) + " UTC";

export default async function ScriptsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await pageUser(["admin", "auditor"]);
  const raw = await searchParams;
  const parsed = scriptsFilterSchema.safeParse({ tenant: raw.tenant, attention: raw.attention });
  const filter = parsed.success ? parsed.data : {};
  const tenants = (await listTenants(user)).map((t) => ({ id: t.id, name: t.name }));
  const tenant = tenants.find((t) => t.id === filter.tenant) ?? tenants[0];
  const attention = filter.attention === "1";
  const scripts = tenant ? await listScripts(user, { tenantId: tenant.id, attention }) : [];
  const zipHref = tenant ? `/api/scripts/export?tenant=${encodeURIComponent(tenant.id)}${attention ? "&attention=1" : ""}` : null;
  return (
    <>
      <PageHeader
        title="Scripts"
        description="Move scheduled scripts off Send-MailMessage: the converter rewrites each call to Send-GraphMailMessage, keeps the rest of the file as it was, and lists what it could not convert. Scripts are kept per tenant so you can work through them over days."
      />
      {user.role === "admin" ? (
      <Link
        href="/scripts/module"
        className="mb-4 flex items-center justify-between gap-3 rounded-lg border border-brand-600/30 bg-brand-600/5 px-5 py-4 text-sm font-medium hover:bg-brand-600/10"
      >
        <span>
          <span className="block text-base font-semibold text-brand-600">Get the Send-GraphMailMessage module</span>
          <span className="text-slate-600 dark:text-slate-400">The drop-in replacement the converted scripts import: Send-MailMessage&apos;s parameters, through the portal or straight to Graph.</span>
        </span>
        <span aria-hidden="true">→</span>
      </Link>
      ) : null}
      {user.role === "admin" ? (
        <Card title="Convert scripts" className="mb-4">
          <UploadForm tenants={tenants} tenantId={tenant?.id ?? ""} />
        </Card>
      ) : null}
      <Card
        title="Inventory"
        actions={
          zipHref && scripts.some((s) => s.hasConverted) ? (
            <a href={zipHref} className={buttonClass("secondary", "!px-3 !py-1")} download>
              Download converted (.zip)
            </a>
          ) : null
        }
      >
        <form method="get" className="mb-3 flex flex-wrap items-end gap-3 text-sm" aria-label="Filter scripts">
          {/* A native select is as wide as its longest option: capped, so a long tenant name cannot widen a phone's page. */}
          <label className="w-full min-w-0 space-y-1 sm:w-auto">
            <span className="block font-medium">Tenant</span>
            <select
              name="tenant"
              defaultValue={tenant?.id}
              className="w-full max-w-full truncate rounded-md border border-slate-300 bg-white px-3 py-2 sm:w-auto sm:max-w-sm dark:border-slate-700 dark:bg-slate-900"
            >
              {tenants.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label className="flex items-center gap-2 py-2">
            <input type="checkbox" name="attention" value="1" defaultChecked={attention} />
            Needs attention only
          </label>
          <button type="submit" className={buttonClass("secondary", "!px-3 !py-1.5")}>
            Filter
          </button>
        </form>
        {scripts.length === 0 ? (
          <p className="text-sm">{attention ? "No script of this tenant needs attention." : "No scripts for this tenant yet."}</p>
        ) : (
          // relative: the visually hidden "Actions" header is absolutely positioned, and would otherwise escape this
          // scroll box and widen the page by the table's width.
          <div className="relative overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="scripts-table">
              <thead className="text-xs text-slate-500">
                <tr>
                  <th className="py-1 pr-3">Script</th>
                  <th className="py-1 pr-3 text-right">Calls found</th>
                  <th className="py-1 pr-3 text-right">Converted</th>
                  <th className="py-1 pr-3">Needs attention</th>
                  <th className="py-1 pr-3">Encoding</th>
                  <th className="py-1 pr-3">Uploaded</th>
                  <th className="py-1">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {scripts.map((s) => (
                  <tr key={s.id} className="border-t border-slate-200 align-top dark:border-slate-800" data-testid={`script-${s.name}`}>
                    <td className="py-2 pr-3 font-medium">
                      <Link href={`/scripts/${s.id}`} className="text-brand-600 underline">
                        {s.name}
                      </Link>
                    </td>
                    <td className="py-2 pr-3 text-right">{s.callsFound}</td>
                    <td className="py-2 pr-3 text-right">{s.convertedCount}</td>
                    <td className="py-2 pr-3">{s.attentionCount ? <Badge tone="warn">{s.attentionCount}</Badge> : <Badge tone="good">none</Badge>}</td>
                    <td className="py-2 pr-3 text-xs">{ENCODING_LABELS[s.encoding as ScriptEncoding] ?? s.encoding}</td>
                    <td className="py-2 pr-3 text-xs">
                      {when(s.createdAt)}
                      {s.uploadedByName ? ` · ${s.uploadedByName}` : ""}
                    </td>
                    <td className="whitespace-nowrap py-2">
                      {s.hasConverted ? (
                        <a href={`/api/scripts/${s.id}/download`} className={buttonClass("ghost", "!px-2 !py-0.5 text-xs")} aria-label={`Download converted ${s.name}`}>
                          Download
                        </a>
                      ) : null}
                      {user.role === "admin" ? (
                        <>
                          <ReconvertButton scriptId={s.id} name={s.name} />
                          <DeleteScriptButton scriptId={s.id} name={s.name} />
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
