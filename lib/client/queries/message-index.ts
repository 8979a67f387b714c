// The message index of one DLQ: filtered pages (infinite query, polled while a refresh runs) and
// the refresh mutation.
import { infiniteQueryOptions, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { indexPageSchema, indexRefreshResponseSchema, type IndexPageDto } from "@/lib/api/schemas/message-index";
import { fetchJson } from "../http";
import { queueApiPath } from "./messages";

/** Rows per page of the index. */
export const INDEX_PAGE_SIZE = 500;
/** How often the view polls while the index is being refreshed. */
export const INDEX_POLL_MS = 1_500;

export interface IndexFilterInput {
  readonly text: string;
  readonly group: string | null;
  /** ISO times, or null. */
  readonly from: string | null;
  readonly to: string | null;
}

export function fetchIndexPage(broker: string, queueId: string, filter: IndexFilterInput, cursor: number | null): Promise<IndexPageDto> {
  const query = new URLSearchParams({ limit: String(INDEX_PAGE_SIZE), text: filter.text });
  if (filter.group) query.set("group", filter.group);
  if (filter.from) query.set("from", filter.from);
  if (filter.to) query.set("to", filter.to);
  if (cursor !== null) query.set("cursor", String(cursor));
  return fetchJson(`${queueApiPath(broker, queueId)}/index?${query}`, indexPageSchema);
}

export const indexPagesQueryOptions = (broker: string, queueId: string, filter: IndexFilterInput) =>
  infiniteQueryOptions({
    queryKey: ["message-index", broker, queueId, filter],
    queryFn: ({ pageParam }) => fetchIndexPage(broker, queueId, filter, pageParam),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => page.nextCursor,
    // Reading the index has no broker side effects: poll while a refresh is filling it.
    refetchInterval: (query) => (query.state.data?.pages[0]?.state.status === "running" ? INDEX_POLL_MS : false),
    placeholderData: (previous) => previous,
  });

export function useIndexPages(broker: string, queueId: string, filter: IndexFilterInput) {
  return useInfiniteQuery(indexPagesQueryOptions(broker, queueId, filter));
}

/** Ask the server to re-read the whole DLQ into the index. */
export function useRefreshIndex(broker: string, queueId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => fetchJson(`${queueApiPath(broker, queueId)}/index/refresh`, indexRefreshResponseSchema, { method: "POST" }),
    onSettled: () => client.invalidateQueries({ queryKey: ["message-index", broker, queueId] }),
  });
}
