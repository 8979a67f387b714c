// Purged messages of one DLQ still in the archive (restorable), newest first.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { archivesResponseSchema } from "@/lib/api/schemas/operations";
import { fetchJson } from "../http";
import { queueApiPath } from "./messages";

export const archivesQueryOptions = (broker: string, queueId: string) =>
  queryOptions({
    queryKey: ["archives", broker, queueId],
    queryFn: () => fetchJson(`${queueApiPath(broker, queueId)}/archives?limit=200`, archivesResponseSchema),
  });

export function useArchives(broker: string, queueId: string, enabled: boolean) {
  return useQuery({ ...archivesQueryOptions(broker, queueId), enabled });
}
