// Operations from the browser: the broker's policy, the replay preview, and the mutations
// (replay, resend, purge, restore). Each mutation carries a client-generated operation id, so a
// retried request (a double click, a flaky network) does nothing twice.
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  operationResponseSchema,
  policyResponseSchema,
  previewResponseSchema,
  type OperationResponseDto,
  type PurgeRequestDto,
  type ReplayRequestDto,
  type ResendRequestDto,
  type RestoreRequestDto,
} from "@/lib/api/schemas/operations";
import { fetchJson } from "../http";
import { queueApiPath } from "./messages";

/** A fresh operation id; one per dialog, reused if the same request is sent again. */
export function newOperationId(): string {
  return crypto.randomUUID();
}

const postJson = <T,>(url: string, body: unknown, schema: Parameters<typeof fetchJson<T>>[1]) =>
  fetchJson(url, schema, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

export const policyQueryOptions = (broker: string) =>
  queryOptions({
    queryKey: ["policy", broker],
    queryFn: () => fetchJson(`/api/v1/brokers/${encodeURIComponent(broker)}/policy`, policyResponseSchema),
    staleTime: 60_000,
  });

export function usePolicy(broker: string) {
  return useQuery(policyQueryOptions(broker));
}

export interface PreviewParams {
  readonly ids: readonly string[];
  readonly destination?: { id: string; routingKey?: string };
}

export const previewQueryOptions = (broker: string, queueId: string, params: PreviewParams) =>
  queryOptions({
    queryKey: ["preview", broker, queueId, params],
    queryFn: () => postJson(`${queueApiPath(broker, queueId)}/preview`, params, previewResponseSchema),
    staleTime: 30_000,
    retry: false,
  });

export function usePreview(broker: string, queueId: string, params: PreviewParams, enabled: boolean) {
  return useQuery({ ...previewQueryOptions(broker, queueId, params), enabled: enabled && params.ids.length > 0 });
}

/** After a mutation: what the console shows of this queue, and the audit log, are stale. */
function useInvalidate(broker: string, queueId: string) {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ["messages", broker, queueId] });
    void client.invalidateQueries({ queryKey: ["archives", broker, queueId] });
    void client.invalidateQueries({ queryKey: ["queues"] });
    void client.invalidateQueries({ queryKey: ["audit"] });
  };
}

function useOperation<TBody>(broker: string, queueId: string, path: string) {
  const invalidate = useInvalidate(broker, queueId);
  return useMutation<OperationResponseDto, Error, TBody>({
    mutationFn: (body) => postJson(`${queueApiPath(broker, queueId)}/${path}`, body, operationResponseSchema),
    onSettled: invalidate,
  });
}

export const useReplay = (broker: string, queueId: string) => useOperation<ReplayRequestDto>(broker, queueId, "replay");
export const usePurge = (broker: string, queueId: string) => useOperation<PurgeRequestDto>(broker, queueId, "purge");
export const useRestore = (broker: string, queueId: string) => useOperation<RestoreRequestDto>(broker, queueId, "archives/restore");
export const useResend = (broker: string, queueId: string, id: string) =>
  useOperation<ResendRequestDto>(broker, queueId, `messages/${encodeURIComponent(id)}/resend`);
