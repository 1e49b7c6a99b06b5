import type { Metadata } from "next";
import Link from "next/link";
import { AuditFilterForm } from "@/components/audit/audit-filter-form";
import { AuditTable } from "@/components/audit/audit-table";
import { FilterDrawer } from "@/components/history/filter-drawer";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { listAuditActions } from "@/lib/audit/list-actions";
import { listAudit, type AuditPage } from "@/lib/audit/list-audit";
import { pageUser } from "@/lib/auth/page-user";
import { AppError } from "@/lib/errors";
import { auditFilterSchema, auditPageSchema, auditQuery, filterErrors, paramsRecord } from "@/lib/schemas/audit";
import { listTenants } from "@/lib/tenants/list-tenants";

export const metadata: Metadata = { title: "Audit" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The audit trail: who did what, when, before → after. Read-only, for admins and auditors. */
export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await pageUser(["admin", "auditor"]);
  const raw = paramsRecord(await searchParams);
  const parsed = auditFilterSchema.safeParse(raw);
  const paging = auditPageSchema.safeParse(raw);
  const errors: Record<string, string> = {
    ...(parsed.success ? {} : filterErrors(parsed.error)),
    ...(paging.success ? {} : filterErrors(paging.error)),
  };
  const [actions, tenants] = await Promise.all([listAuditActions(user), listTenants(user)]);

  let page: AuditPage | null = null;
  if (parsed.success && paging.success) {
    try {
      page = await listAudit(user, parsed.data, paging.data);
    } catch (err) {
      if (!(err instanceof AppError) || !err.fields) throw err;
      Object.assign(errors, err.fields);
    }
  }
  const q = parsed.success ? auditQuery(raw) : "";
  const sep = q ? "&" : "?";
  const active = ["action", "actor", "tenant", "q", "from", "to"].filter((k) => raw[k]?.trim()).length;
  const tenantOptions = tenants.map((t) => ({ id: t.id, name: t.name }));
  const form = (idPrefix: string) => <AuditFilterForm values={raw} errors={errors} actions={actions} tenants={tenantOptions} idPrefix={idPrefix} />;

  return (
    <>
      <PageHeader
        title="Audit"
        description="Every admin action and decision: who, when, what, and the values before → after. Secrets are never shown. Filters live in the address bar: share the link to share the view."
        actions={
          parsed.success ? (
            <a className={buttonClass("secondary")} href={`/api/audit/export${q}`} download>
              Export CSV
            </a>
          ) : null
        }
      />
      {/* Wide screens: the filters above the list. Narrow ones: a drawer, so the first screen shows events. */}
      <Card className="mb-4 hidden md:block">{form("field")}</Card>
      <div className="mb-4 flex flex-wrap items-center gap-2 md:hidden">
        <FilterDrawer active={active} title="Filter audit events">
          {form("drawer")}
        </FilterDrawer>
        {active > 0 ? (
          <Link href="/audit" className={buttonClass("ghost")}>
            Clear filters
          </Link>
        ) : null}
      </div>
      {Object.keys(errors).length > 0 ? (
        <p role="alert" className="-mt-2 mb-4 text-sm text-red-700 dark:text-red-300">
          Check the highlighted filters{errors.cursor || errors.dir ? ": that page link is damaged, start again from the first page" : ""}.
        </p>
      ) : null}
      {page ? (
        <Card title="Events">
          <AuditTable rows={page.rows} />
          <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center gap-2 text-sm">
            {raw.cursor ? (
              <Link className={buttonClass("ghost")} href={`/audit${q}`}>
                Newest
              </Link>
            ) : null}
            {page.prev ? (
              <Link className={buttonClass("secondary")} href={`/audit${q}${sep}cursor=${page.prev}&dir=prev`}>
                ← Newer
              </Link>
            ) : null}
            {page.next ? (
              <Link className={buttonClass("secondary")} href={`/audit${q}${sep}cursor=${page.next}`}>
                Older →
              </Link>
            ) : null}
          </nav>
        </Card>
      ) : null}
    </>
  );
}
