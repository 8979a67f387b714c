// A DLQ's depth over time (stored samples), refreshed once a minute like the sampler.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { depthHistorySchema } from "@/lib/api/schemas/depth";
import { fetchJson } from "../http";
import { queueApiPath } from "./messages";

export const depthHistoryQueryOptions = (broker: string, queueId: string, hours: number) =>
  queryOptions({
    queryKey: ["depth", broker, queueId, hours],
    queryFn: () => fetchJson(`${queueApiPath(broker, queueId)}/depth?hours=${hours}`, depthHistorySchema),
    refetchInterval: 60_000,
  });

export function useDepthHistory(broker: string, queueId: string, hours: number) {
  return useQuery(depthHistoryQueryOptions(broker, queueId, hours));
}
