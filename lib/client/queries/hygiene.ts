// The hygiene report and its mutes.
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { hygieneResponseSchema, type FindingDto } from "@/lib/api/schemas/hygiene";
import { fetchJson } from "../http";

export function fetchHygiene() {
  return fetchJson("/api/v1/hygiene", hygieneResponseSchema);
}

export const hygieneQueryOptions = () => queryOptions({ queryKey: ["hygiene"], queryFn: fetchHygiene, refetchInterval: 60_000 });

export function useHygiene() {
  return useQuery(hygieneQueryOptions());
}

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

/** Mute (with a reason) or unmute one finding, then reload the report. */
export function useMuteFinding() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { broker: string; finding: FindingDto; reason: string | null }) => {
      const target = { broker: input.broker, queueId: input.finding.queue.id, code: input.finding.code };
      return input.reason === null
        ? fetchJson("/api/v1/hygiene/mutes", z.unknown(), json("DELETE", target))
        : fetchJson("/api/v1/hygiene/mutes", z.unknown(), json("POST", { ...target, reason: input.reason }));
    },
    onSettled: () => client.invalidateQueries({ queryKey: ["hygiene"] }),
  });
}
