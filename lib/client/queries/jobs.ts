// Bulk replay jobs from the browser: the plan (dry run) and start, the jobs list and one job
// (polled while they run), and the controls. Plan and start carry the dialog's operation id, so a
// retried request does nothing twice.
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { jobDetailResponseSchema, jobListResponseSchema, jobResponseSchema, type BulkPlanRequest, type JobDto } from "@/lib/api/schemas/jobs";
import { fetchJson } from "../http";
import { queueApiPath } from "./messages";

/** How often a page showing an active job asks again. */
export const JOB_POLL_MS = 1000;
const ACTIVE = new Set(["planning", "running", "cancelling"]);
export const isActive = (job: Pick<JobDto, "status">) => ACTIVE.has(job.status);

const postJson = <T,>(url: string, body: unknown, schema: Parameters<typeof fetchJson<T>>[1]) =>
  fetchJson(url, schema, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

export const jobsQueryOptions = () =>
  queryOptions({
    queryKey: ["jobs"],
    queryFn: () => fetchJson("/api/v1/jobs", jobListResponseSchema),
    refetchInterval: (query) => (query.state.data?.jobs.some(isActive) ? JOB_POLL_MS : 5000),
  });

export function useJobs() {
  return useQuery(jobsQueryOptions());
}

export const jobQueryOptions = (id: string) =>
  queryOptions({
    queryKey: ["jobs", id],
    queryFn: () => fetchJson(`/api/v1/jobs/${encodeURIComponent(id)}`, jobDetailResponseSchema),
    refetchInterval: (query) => (query.state.data && !isActive(query.state.data.job) && query.state.data.job.status !== "paused" ? false : JOB_POLL_MS),
  });

export function useJob(id: string) {
  return useQuery(jobQueryOptions(id));
}

/** Plan a bulk replay: the frozen selection and what would happen; nothing is sent. */
export function usePlanBulkReplay(broker: string, queueId: string) {
  return useMutation({ mutationFn: (request: BulkPlanRequest) => postJson(`${queueApiPath(broker, queueId)}/bulk-replays`, request, jobResponseSchema) });
}

export function useStartBulkReplay(broker: string, queueId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => postJson(`${queueApiPath(broker, queueId)}/bulk-replays/${encodeURIComponent(id)}/start`, {}, jobResponseSchema),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["jobs"] }),
  });
}

export type JobControl = "pause" | "resume" | "cancel";

/** Pause, resume or cancel a job, or change its rate. */
export function useJobControl(id: string) {
  const client = useQueryClient();
  const onSuccess = () => void client.invalidateQueries({ queryKey: ["jobs"] });
  return {
    control: useMutation({ mutationFn: (action: JobControl) => postJson(`/api/v1/jobs/${encodeURIComponent(id)}/${action}`, {}, jobResponseSchema), onSuccess }),
    rate: useMutation({ mutationFn: (ratePerSecond: number) => postJson(`/api/v1/jobs/${encodeURIComponent(id)}/rate`, { ratePerSecond }, jobResponseSchema), onSuccess }),
  };
}
