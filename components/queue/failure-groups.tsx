"use client";

import type { FailureGroup } from "@/lib/client/message-rows";
import { formatCount } from "@/lib/client/format";

interface Props {
  readonly groups: readonly FailureGroup[];
  readonly total: number;
  readonly selected: string | null;
  onSelect(group: string | null): void;
}

/** "3,000 dead letters" as "2 distinct failures": one button per failure fingerprint. */
export function FailureGroups({ groups, total, selected, onSelect }: Props) {
  return (
    <aside aria-label="Failure groups" className="rounded border border-zinc-200 bg-white p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900">
      <h2 className="mb-2 font-medium" data-testid="group-summary">
        {formatCount(total)} messages · {formatCount(groups.length)} distinct {groups.length === 1 ? "failure" : "failures"}
      </h2>
      <ul className="space-y-1">
        <li>
          <button type="button" onClick={() => onSelect(null)} aria-pressed={selected === null} className={`w-full rounded px-2 py-1 text-left ${selected === null ? "bg-zinc-100 font-medium dark:bg-zinc-800" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/50"}`}>
            All failures
          </button>
        </li>
        {groups.map((group) => (
          <li key={group.id}>
            <button
              type="button"
              data-testid="failure-group"
              aria-pressed={selected === group.id}
              onClick={() => onSelect(selected === group.id ? null : group.id)}
              className={`flex w-full items-start justify-between gap-2 rounded px-2 py-1 text-left ${selected === group.id ? "bg-sky-100 dark:bg-sky-950" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/50"}`}
            >
              <span className="font-mono text-xs break-all">{group.label}</span>
              <span className="shrink-0 rounded bg-zinc-200 px-1.5 text-xs tabular-nums dark:bg-zinc-700">{formatCount(group.count)}</span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
