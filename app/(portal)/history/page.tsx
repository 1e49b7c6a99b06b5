import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { FilterDrawer } from "@/components/history/filter-drawer";
import { FilterForm } from "@/components/history/filter-form";
import { SendsTable } from "@/components/history/sends-table";
import { pageUser } from "@/lib/auth/page-user";
import { AppError } from "@/lib/errors";
import { findSends, type SendPage } from "@/lib/history/find-sends";
import { FILTER_KEYS, filterErrors, filterQuery, historyFilterSchema, pageSchema, paramsRecord } from "@/lib/schemas/history";
import { listTenants } from "@/lib/tenants/list-tenants";
import { HistoryChart, HistoryChartFallback } from "./history-chart";

export const metadata: Metadata = { title: "History" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function HistoryPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await pageUser();
  const raw = paramsRecord(await searchParams);
  const parsed = historyFilterSchema.safeParse(raw);
  const paging = pageSchema.safeParse(raw);
  const errors = { ...(parsed.success ? {} : filterErrors(parsed.error)), ...(paging.success ? {} : filterErrors(paging.error)) };
  const seesAll = user.role !== "sender";
  const tenants = seesAll ? (await listTenants(user)).map((t) => ({ id: t.id, name: t.name })) : null;

  let page: SendPage | null = null;
  if (parsed.success && paging.success) {
    try {
      page = await findSends(user, parsed.data, paging.data);
    } catch (err) {
      if (!(err instanceof AppError) || !err.fields) throw err;
      Object.assign(errors, err.fields);
    }
  }
  const q = parsed.success ? filterQuery(raw) : "";
  const sep = q ? "&" : "?";
  const active = FILTER_KEYS.filter((k) => raw[k]?.trim()).length;
  const hasErrors = Object.keys(errors).length > 0;
  const form = (idPrefix: string) => <FilterForm values={raw} errors={errors} tenants={tenants} showActor={seesAll} idPrefix={idPrefix} />;

  return (
    <>
      <PageHeader
        title="History"
        description={
          // Narrow screens: the sends come first, so the explanation waits for wider ones.
          <span className="hidden sm:inline">
            {seesAll
              ? "Every send from every tenant, with each Graph attempt. Filters live in the address bar: share the link to share the view. The setup wizard's restriction tests are left out unless the filter asks for them."
              : "Your sends and every Graph attempt made for them."}
          </span>
        }
        actions={
          parsed.success ? (
            <div className="flex flex-wrap gap-2">
              {user.role === "admin" ? (
                <>
                  <Link className={buttonClass("ghost")} href="/history/dead-letters">
                    Dead letters
                  </Link>
                  {/* Uncertain sends: each one's page shows what message trace found, and "safe to send again". */}
                  <Link className={buttonClass("ghost")} href="/history?status=uncertain">
                    Uncertain sends
                  </Link>
                </>
              ) : null}
              <a className={buttonClass("secondary")} href={`/api/history/export${q}${sep}format=csv`} download>
                Export CSV
              </a>
              <a className={buttonClass("secondary")} href={`/api/history/export${q}${sep}format=json`} download>
                Export JSON
              </a>
            </div>
          ) : null
        }
      />
      {/* Wide screens: the filters above the list. Narrow ones: a drawer, so the first screen shows sends. */}
      <Card className="mb-4 hidden md:block">{form("field")}</Card>
      <div className="mb-4 flex flex-wrap items-center gap-2 md:hidden">
        <FilterDrawer active={active}>{form("drawer")}</FilterDrawer>
        {active > 0 ? <Link href="/history" className={buttonClass("ghost")}>Clear filters</Link> : null}
      </div>
      {hasErrors ? (
        <p role="alert" className="-mt-2 mb-4 text-sm text-red-700 dark:text-red-300">
          Check the highlighted filters{errors.cursor ? ": that page link is damaged, start again from the first page" : ""}.
        </p>
      ) : null}
      {page ? (
        <Card className="mb-4" title="Sends">
          <SendsTable
            rows={page.rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), attachmentCount: Number(r.attachmentCount) }))}
          />
          <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center gap-2 text-sm">
            {raw.cursor ? <Link className={buttonClass("ghost")} href={`/history${q}`}>Newest</Link> : null}
            {page.prev ? <Link className={buttonClass("secondary")} href={`/history${q}${sep}cursor=${page.prev}&dir=prev`}>← Newer</Link> : null}
            {page.next ? <Link className={buttonClass("secondary")} href={`/history${q}${sep}cursor=${page.next}`}>Older →</Link> : null}
          </nav>
        </Card>
      ) : null}
      {/* The chart streams in after the table (its own Suspense boundary): the sends never wait for the counts. */}
      {page && parsed.success ? (
        <Suspense fallback={<HistoryChartFallback />}>
          <HistoryChart user={user} filter={parsed.data} />
        </Suspense>
      ) : null}
    </>
  );
}
