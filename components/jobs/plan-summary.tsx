"use client";

import type { JobDto } from "@/lib/api/schemas/jobs";
import { formatCount } from "@/lib/client/format";

/** What the frozen plan holds and what the broker will do: the dry run. */
export function PlanSummaryView({ job }: { job: JobDto }) {
  const { summary } = job;
  return (
    <section aria-label="Plan" data-testid="plan-summary" className="space-y-2 text-sm">
      <p>
        <strong data-testid="plan-total">{formatCount(summary.total)}</strong> messages frozen in the plan
        {summary.partitionKeys > 0 && ` · ${formatCount(summary.partitionKeys)} partition keys, each replayed in order`}
        {summary.missingAtPlan > 0 && ` · ${formatCount(summary.missingAtPlan)} selected messages were already gone`}
        {summary.unreadAtPlan > 0 && ` · ${formatCount(summary.unreadAtPlan)} could not be read yet (behind their FIFO group's head): they go by id, in one lane`}.
        Messages that arrive later are not part of it.
      </p>
      {summary.blocked && <p role="alert" className="text-red-700 dark:text-red-400">Cannot run: {summary.blocked}</p>}
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <h3 className="text-xs font-medium text-zinc-500">By failure group</h3>
          <ul className="text-xs">
            {summary.byGroup.slice(0, 10).map((group) => (
              <li key={group.id} className="flex justify-between gap-2"><span className="font-mono break-all">{group.label}</span><span className="tabular-nums">{formatCount(group.count)}</span></li>
            ))}
          </ul>
        </div>
        <div>
          <h3 className="text-xs font-medium text-zinc-500">By destination</h3>
          <ul className="text-xs">
            {summary.byDestination.slice(0, 10).map((destination) => (
              <li key={destination.sendTo ?? ""} className="flex justify-between gap-2"><span className="font-mono break-all">{destination.sendTo ?? "(unknown source)"}</span><span className="tabular-nums">{formatCount(destination.count)}</span></li>
            ))}
          </ul>
        </div>
      </div>
      {summary.routes.map((route) => (
        <div key={route.sendTo.id} className="rounded border border-zinc-200 p-2 text-xs dark:border-zinc-800">
          <p>
            Sent to <span className="font-mono">{route.sendTo.name}</span>
            {route.receivers.length > 0 && <> → received by {route.receivers.map((receiver) => receiver.name).join(", ")}</>}
          </p>
          <ul className="list-disc pl-4 text-zinc-600 dark:text-zinc-400">{route.changes.map((change) => <li key={change}>{change}</li>)}</ul>
          {route.blocked && <p className="text-red-700 dark:text-red-400">{route.blocked}</p>}
        </div>
      ))}
    </section>
  );
}
