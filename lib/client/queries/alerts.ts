// Alert rules, their states and deliveries; create and delete rules.
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { alertsResponseSchema } from "@/lib/api/schemas/alerts";
import { fetchJson } from "../http";

export const alertsQueryOptions = () =>
  queryOptions({ queryKey: ["alerts"], queryFn: () => fetchJson("/api/v1/alerts", alertsResponseSchema), refetchInterval: 15_000 });

export function useAlerts() {
  return useQuery(alertsQueryOptions());
}

export interface NewAlertRule {
  name: string;
  broker: string;
  queue: string;
  metric: "depth" | "age" | "growth";
  threshold: number;
  resolveBelow?: number;
  windowMinutes: number;
  webhookUrl: string;
  format: "generic" | "slack" | "teams";
}

export function useCreateAlertRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (rule: NewAlertRule) =>
      fetchJson("/api/v1/alerts/rules", z.unknown(), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(rule) }),
    onSettled: () => client.invalidateQueries({ queryKey: ["alerts"] }),
  });
}

export function useDeleteAlertRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => fetchJson(`/api/v1/alerts/rules/${encodeURIComponent(id)}`, z.unknown(), { method: "DELETE" }),
    onSettled: () => client.invalidateQueries({ queryKey: ["alerts"] }),
  });
}
