// The audit log from the browser: filtered pages (newest first, infinite), the export links and
// the chain check.
import { infiniteQueryOptions, useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { auditPageSchema, auditVerifySchema, type AuditFilterDto } from "@/lib/api/schemas/audit";
import { fetchJson } from "../http";

/** The filter as query parameters, empty fields left out. */
export function auditSearchParams(filter: AuditFilterDto, extra: Record<string, string> = {}): URLSearchParams {
  const entries = Object.entries({ ...filter, ...extra }).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== "");
  return new URLSearchParams(entries);
}

export const auditPagesQueryOptions = (filter: AuditFilterDto) =>
  infiniteQueryOptions({
    queryKey: ["audit", filter],
    queryFn: ({ pageParam }) => fetchJson(`/api/v1/audit?${auditSearchParams(filter, { limit: "100", ...(pageParam ? { cursor: pageParam } : {}) })}`, auditPageSchema),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });

export function useAuditPages(filter: AuditFilterDto) {
  return useInfiniteQuery(auditPagesQueryOptions(filter));
}

/** Where the browser downloads the filtered log (streamed by the server). */
export function auditExportHref(filter: AuditFilterDto, format: "csv" | "json"): string {
  return `/api/v1/audit/export?${auditSearchParams(filter, { format })}`;
}

export function useAuditVerify() {
  return useMutation({ mutationFn: () => fetchJson("/api/v1/audit/verify", auditVerifySchema) });
}
