"use client";

import { useState } from "react";
import type { AuditFilterDto } from "@/lib/api/schemas/audit";
import { auditExportHref, useAuditPages, useAuditVerify } from "@/lib/client/queries/audit";
import { AuditFilters } from "./audit-filters";
import { AuditTable } from "./audit-table";

const button = "rounded border border-zinc-300 px-3 py-1 text-sm hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";

/** The audit review page: filters, the log newest first, exports and the chain check. */
export function AuditView() {
  const [filter, setFilter] = useState<AuditFilterDto>({});
  const pages = useAuditPages(filter);
  const verify = useAuditVerify();
  const entries = pages.data?.pages.flatMap((page) => page.entries) ?? [];
  const verdict = verify.data;

  return (
    <section className="space-y-3">
      <h1 className="text-lg font-semibold">Audit log</h1>
      <AuditFilters onApply={setFilter} />
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <a className={button} href={auditExportHref(filter, "csv")} download>Export CSV</a>
        <a className={button} href={auditExportHref(filter, "json")} download>Export JSON</a>
        <button type="button" className={button} disabled={verify.isPending} onClick={() => verify.mutate()}>
          {verify.isPending ? "Verifying…" : "Verify chain"}
        </button>
        {verify.error && <span role="alert" className="text-red-700">{verify.error.message}</span>}
        {verdict?.ok === true && <span role="status" data-testid="verify-result" className="text-emerald-700 dark:text-emerald-400">Chain intact: {verdict.rows} rows checked.</span>}
      </div>
      {verdict?.ok === false && (
        <div role="alert" data-testid="verify-result" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
          <p className="font-semibold">Chain broken at row {verdict.brokenAt}: {verdict.problem}</p>
          {verdict.entry && <AuditTable entries={[verdict.entry]} highlight={verdict.brokenAt} />}
        </div>
      )}
      {pages.error && <p role="alert" className="text-red-700">{pages.error.message}</p>}
      {pages.isPending && <div aria-busy="true" aria-label="Loading audit log" className="h-32 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />}
      {pages.data && entries.length === 0 && <p className="text-sm text-zinc-500">No audit rows match these filters.</p>}
      {entries.length > 0 && <AuditTable entries={entries} highlight={verdict?.ok === false ? verdict.brokenAt : null} />}
      {pages.hasNextPage && (
        <button type="button" className={button} disabled={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
          {pages.isFetchingNextPage ? "Loading…" : "Older rows"}
        </button>
      )}
    </section>
  );
}
