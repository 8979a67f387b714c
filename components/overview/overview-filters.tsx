"use client";

import type { OverviewFilter } from "@/lib/client/overview-rows";

interface Props {
  readonly filter: OverviewFilter;
  readonly brokers: readonly string[];
  readonly environments: readonly string[];
  onChange(filter: OverviewFilter): void;
}

const control =
  "rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900";

export function OverviewFilters({ filter, brokers, environments, onChange }: Props) {
  return (
    <div className="mb-3 flex flex-wrap items-center gap-3">
      <input
        type="search"
        aria-label="Filter queues"
        placeholder="Filter by queue, source or broker"
        value={filter.text}
        onChange={(event) => onChange({ ...filter, text: event.target.value })}
        className={`${control} w-72`}
      />
      <select
        aria-label="Broker"
        value={filter.broker ?? ""}
        onChange={(event) => onChange({ ...filter, broker: event.target.value || null })}
        className={control}
      >
        <option value="">All brokers</option>
        {brokers.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <select
        aria-label="Environment"
        value={filter.environment ?? ""}
        onChange={(event) => onChange({ ...filter, environment: event.target.value || null })}
        className={control}
      >
        <option value="">All environments</option>
        {environments.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <label className="flex items-center gap-1.5 text-sm">
        <input
          type="checkbox"
          checked={filter.hideEmpty}
          onChange={(event) => onChange({ ...filter, hideEmpty: event.target.checked })}
        />
        Hide empty
      </label>
    </div>
  );
}
