// A DLQ's messages, page by page (infinite query), and one message in full.
import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { messagePageSchema, messageResponseSchema, type MessagePage, type MessageResponse } from "@/lib/api/schemas/messages";
import { fetchJson } from "../http";

/** Messages per page the queue view asks for. */
export const MESSAGE_PAGE_SIZE = 200;

/** The API path of a queue; queue ids may hold "/" (Service Bus subscriptions), so each part is encoded. */
export function queueApiPath(broker: string, queueId: string): string {
  return `/api/v1/brokers/${encodeURIComponent(broker)}/queues/${encodeURIComponent(queueId)}`;
}

export function fetchMessagePage(broker: string, queueId: string, cursor: string | null): Promise<MessagePage> {
  const query = new URLSearchParams({ limit: String(MESSAGE_PAGE_SIZE), ...(cursor ? { cursor } : {}) });
  return fetchJson(`${queueApiPath(broker, queueId)}/messages?${query}`, messagePageSchema);
}

export const messagePagesQueryOptions = (broker: string, queueId: string) =>
  infiniteQueryOptions({
    queryKey: ["messages", broker, queueId],
    queryFn: ({ pageParam }) => fetchMessagePage(broker, queueId, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    // Browsing may have side effects on some brokers; never refetch behind the user's back.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });

export function useMessagePages(broker: string, queueId: string) {
  return useInfiniteQuery(messagePagesQueryOptions(broker, queueId));
}

export function fetchMessage(broker: string, queueId: string, id: string): Promise<MessageResponse> {
  return fetchJson(`${queueApiPath(broker, queueId)}/messages/${encodeURIComponent(id)}`, messageResponseSchema);
}

export const messageQueryOptions = (broker: string, queueId: string, id: string) =>
  queryOptions({
    queryKey: ["message", broker, queueId, id],
    queryFn: () => fetchMessage(broker, queueId, id),
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    retry: false,
  });

export function useMessage(broker: string, queueId: string, id: string) {
  return useQuery(messageQueryOptions(broker, queueId, id));
}
