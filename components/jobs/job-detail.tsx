"use client";

import Link from "next/link";
import { useState } from "react";
import { buttonClass, dangerButtonClass, inputClass } from "@/components/operations/dialog";
import { formatCount, formatTime } from "@/lib/client/format";
import { useJob, useJobControl } from "@/lib/client/queries/jobs";
import { JobProgress, JobStatusBadge } from "./job-progress";
import { PlanSummaryView } from "./plan-summary";

/** One job: progress, controls (pause / resume / cancel, rate), its plan and its failures with errors. */
export function JobDetail({ id }: { id: string }) {
  const detail = useJob(id);
  const { control, rate } = useJobControl(id);
  const [newRate, setNewRate] = useState("");
  if (detail.error) return <p role="alert" className="p-6">Could not load job {id}: {detail.error.message}</p>;
  if (!detail.data) return <p className="p-6 text-sm text-zinc-500">Loading…</p>;
  const { job, failures } = detail.data;
  const pending = control.isPending || rate.isPending;
  const error = control.error ?? rate.error;
  return (
    <main className="mx-auto max-w-7xl space-y-4 px-4 py-6 text-sm">
      <p className="text-zinc-500">
        <Link href="/jobs" className="hover:underline">Jobs</Link> / <span className="font-mono">{job.id}</span>
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="text-lg font-semibold">
          Bulk replay of {job.broker} / {job.queueId}
        </h1>
        <JobStatusBadge job={job} />
      </div>
      <p className="text-xs text-zinc-500">
        Started by {job.actor}
        {job.startedAt ? ` at ${formatTime(job.startedAt).local}` : " (not started)"}
        {job.finishedAt ? ` · ended ${formatTime(job.finishedAt).local}` : ""}
        {job.reason ? ` · reason: ${job.reason}` : ""}
        {job.ticket ? ` · ticket: ${job.ticket}` : ""}
      </p>
      <JobProgress job={job} />
      {job.statusReason && <p data-testid="job-status-reason" className="rounded bg-amber-50 px-2 py-1 text-amber-900 dark:bg-amber-950 dark:text-amber-200">{job.statusReason}</p>}
      <div className="flex flex-wrap items-center gap-2">
        {job.status === "running" && <button type="button" className={buttonClass} disabled={pending} onClick={() => control.mutate("pause")}>Pause</button>}
        {job.status === "paused" && <button type="button" className={buttonClass} disabled={pending} onClick={() => control.mutate("resume")}>Resume</button>}
        {["planned", "running", "paused"].includes(job.status) && (
          <button type="button" className={dangerButtonClass} disabled={pending} onClick={() => control.mutate("cancel")}>Cancel job</button>
        )}
        {!["cancelled", "completed"].includes(job.status) && (
          <form
            className="flex items-center gap-1"
            onSubmit={(event) => {
              event.preventDefault();
              const value = Number(newRate);
              if (Number.isInteger(value) && value > 0) rate.mutate(value);
            }}
          >
            <label className="flex items-center gap-1">
              Rate
              <input aria-label="Rate in messages per second" className={`${inputClass} w-24`} inputMode="numeric" placeholder={String(job.settings.ratePerSecond)} value={newRate} onChange={(event) => setNewRate(event.target.value)} />
              msg/s
            </label>
            <button type="submit" className={buttonClass} disabled={pending || newRate === ""}>Set rate</button>
          </form>
        )}
        {job.status === "cancelling" && <span className="text-zinc-500">Cancelling: the batch in flight finishes, the rest stays in the DLQ.</span>}
      </div>
      {error && <p role="alert" className="text-red-700 dark:text-red-400">{error.message}</p>}
      <p className="text-xs text-zinc-500">
        Batches of {job.settings.batchSize} · {job.settings.concurrency} lane{job.settings.concurrency === 1 ? "" : "s"} · canary {job.settings.canarySize} watched {Math.round(job.settings.canaryWindowMs / 1000)} s · pauses above {Math.round(job.settings.returnThreshold * 100)}% back in the DLQ or {Math.round(job.settings.failureThreshold * 100)}% failed ·{" "}
        <Link className="text-sky-700 hover:underline dark:text-sky-400" href="/audit">audit log</Link>
      </p>
      <section aria-label="Failures" className="space-y-2">
        <h2 className="font-medium">Messages that did not move ({formatCount(job.counts.failed + job.counts.skipped)})</h2>
        {failures.length === 0 ? (
          <p className="text-zinc-500">None so far.</p>
        ) : (
          <table className="w-full text-xs">
            <thead className="text-left text-zinc-500">
              <tr><th>#</th><th>Message</th><th>Status</th><th>Attempts</th><th>Error</th></tr>
            </thead>
            <tbody>
              {failures.map((failure) => (
                <tr key={failure.seq} data-testid="job-failure" className="border-t border-zinc-100 align-top dark:border-zinc-800">
                  <td className="tabular-nums">{failure.seq + 1}</td>
                  <td className="font-mono break-all">{failure.messageId}</td>
                  <td>{failure.status}</td>
                  <td className="tabular-nums">{failure.attempts}</td>
                  <td className="break-all whitespace-pre-wrap">{failure.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {job.summary && <PlanSummaryView job={job} />}
    </main>
  );
}
