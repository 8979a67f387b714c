// Every DLQ across brokers: fetcher, query options and hook, polled for live triage.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { queuesResponseSchema, type QueuesResponse } from "@/lib/api/schemas/queues";
import { fetchJson } from "../http";

/** How often the overview refreshes. */
export const QUEUES_REFRESH_MS = 10_000;

export function fetchQueues(): Promise<QueuesResponse> {
  return fetchJson("/api/v1/queues", queuesResponseSchema);
}

export const queuesQueryOptions = () =>
  queryOptions({ queryKey: ["queues"], queryFn: fetchQueues, refetchInterval: QUEUES_REFRESH_MS });

export function useQueues() {
  return useQuery(queuesQueryOptions());
}
