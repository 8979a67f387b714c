"use client";

import type { JobDto } from "@/lib/api/schemas/jobs";
import { formatCount, formatDuration } from "@/lib/client/format";

const SEGMENTS = [
  { key: "done", label: "done", className: "bg-emerald-600" },
  { key: "failed", label: "failed", className: "bg-red-600" },
  { key: "skipped", label: "skipped", className: "bg-amber-500" },
] as const;

const STATUS_STYLE: Record<string, string> = {
  running: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  paused: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  completed: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  cancelled: "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200",
};

export function JobStatusBadge({ job }: { job: Pick<JobDto, "status" | "phase"> }) {
  const phase = job.status === "running" && job.phase !== "main" ? ` · ${job.phase}` : "";
  return (
    <span data-testid="job-status" className={`rounded px-1.5 py-0.5 text-xs font-medium ${STATUS_STYLE[job.status] ?? "bg-zinc-100 dark:bg-zinc-800"}`}>
      {job.status}
      {phase}
    </span>
  );
}

/** Done / failed / skipped / remaining as one bar, with the rate and the ETA. */
export function JobProgress({ job }: { job: JobDto }) {
  const { counts } = job;
  const total = Math.max(1, counts.total);
  const rate = job.currentRate ?? (job.status === "running" ? job.settings.ratePerSecond : null);
  return (
    <div className="space-y-1">
      <div
        role="progressbar"
        aria-label={`Progress of job ${job.id}`}
        aria-valuemin={0}
        aria-valuemax={counts.total}
        aria-valuenow={counts.done + counts.failed + counts.skipped}
        data-testid="job-progress"
        data-done={counts.done}
        className="flex h-3 w-full overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800"
      >
        {SEGMENTS.map((segment) => (
          <div key={segment.key} className={segment.className} style={{ width: `${(counts[segment.key] / total) * 100}%` }} />
        ))}
      </div>
      <p className="flex flex-wrap gap-x-4 text-xs text-zinc-600 tabular-nums dark:text-zinc-400">
        {SEGMENTS.map((segment) => (
          <span key={segment.key} data-testid={`count-${segment.key}`}>
            {formatCount(counts[segment.key])} {segment.label}
          </span>
        ))}
        <span data-testid="count-remaining">{formatCount(counts.remaining)} remaining</span>
        <span>of {formatCount(counts.total)}</span>
        {counts.returned > 0 && <span className="text-red-700 dark:text-red-400">{formatCount(counts.returned)} came back to the DLQ</span>}
        <span>{rate !== null ? `${formatCount(rate)} msg/s` : `limit ${formatCount(job.settings.ratePerSecond)} msg/s`}</span>
        {job.etaSeconds !== null && job.status === "running" && <span>ETA {formatDuration(job.etaSeconds)}</span>}
      </p>
    </div>
  );
}
