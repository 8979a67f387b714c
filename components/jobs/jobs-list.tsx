"use client";

import Link from "next/link";
import { formatTime } from "@/lib/client/format";
import { useJobs } from "@/lib/client/queries/jobs";
import { JobProgress, JobStatusBadge } from "./job-progress";

/** Every recent bulk replay with its progress, polled while any runs. */
export function JobsList() {
  const jobs = useJobs();
  return (
    <main className="mx-auto max-w-7xl space-y-4 px-4 py-6">
      <h1 className="text-lg font-semibold">Bulk replay jobs</h1>
      {jobs.error && <p role="alert">Could not load the jobs: {jobs.error.message}</p>}
      {jobs.data?.jobs.length === 0 && <p className="text-sm text-zinc-500">No bulk replay yet. Start one from a queue&apos;s failure groups.</p>}
      <ul className="space-y-3">
        {jobs.data?.jobs.map((job) => (
          <li key={job.id} data-testid="job-row" className="space-y-2 rounded border border-zinc-200 bg-white p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900">
            <div className="flex flex-wrap items-center gap-2">
              <Link href={`/jobs/${encodeURIComponent(job.id)}`} className="font-mono text-xs text-sky-700 hover:underline dark:text-sky-400">
                {job.id}
              </Link>
              <JobStatusBadge job={job} />
              <span className="text-zinc-600 dark:text-zinc-400">
                {job.broker} / {job.queueId}
              </span>
              <span className="ml-auto text-xs text-zinc-500" title={formatTime(job.createdAt).utc}>
                by {job.actor} · {formatTime(job.createdAt).local}
              </span>
            </div>
            <JobProgress job={job} />
            {job.statusReason && <p className="text-xs text-zinc-600 dark:text-zinc-400">{job.statusReason}</p>}
          </li>
        ))}
      </ul>
    </main>
  );
}
