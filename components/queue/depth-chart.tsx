"use client";

import { useState } from "react";
import { formatCount, formatTime } from "@/lib/client/format";
import { useDepthHistory } from "@/lib/client/queries/depth";

const WIDTH = 640;
const HEIGHT = 90;
const RANGES = [6, 24, 168] as const;

/** The DLQ's depth over the last hours, as an SVG area chart from the console's samples. */
export function DepthChart({ broker, queueId }: { broker: string; queueId: string }) {
  const [hours, setHours] = useState<(typeof RANGES)[number]>(24);
  const { data, error, dataUpdatedAt } = useDepthHistory(broker, queueId, hours);
  const points = data?.points ?? [];
  const peak = points.reduce((max, point) => Math.max(max, point.depth), 0);
  const top = Math.max(1, peak);
  // The chart ends when the samples were read, so it does not drift between refreshes.
  const end = dataUpdatedAt;
  const start = end - hours * 3_600_000;
  const x = (at: number) => ((at - start) / (end - start)) * WIDTH;
  const y = (depth: number) => HEIGHT - 2 - (depth / top) * (HEIGHT - 4);
  const line = points.map((point) => `${x(point.at).toFixed(1)},${y(point.depth).toFixed(1)}`).join(" ");
  const last = points.at(-1);
  return (
    <section aria-label="Depth over time" className="mb-3 rounded border border-zinc-200 bg-white p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900">
      <div className="mb-1 flex items-center gap-2">
        <h2 className="font-medium">Depth over time</h2>
        <span className="text-xs text-zinc-500">peak {formatCount(peak)}{last ? ` · last sample ${formatTime(new Date(last.at).toISOString()).local}` : ""}</span>
        <span className="ml-auto flex gap-1" role="group" aria-label="Time range">
          {RANGES.map((range) => (
            <button key={range} type="button" aria-pressed={hours === range} onClick={() => setHours(range)} className={`rounded px-1.5 py-0.5 text-xs ${hours === range ? "bg-zinc-200 font-medium dark:bg-zinc-700" : "hover:bg-zinc-100 dark:hover:bg-zinc-800"}`}>
              {range < 48 ? `${range} h` : `${range / 24} d`}
            </button>
          ))}
        </span>
      </div>
      {error ? (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">Depth history unavailable: {error.message}</p>
      ) : points.length < 2 ? (
        <p className="text-xs text-zinc-500">The console samples each DLQ&apos;s depth once a minute; the chart fills in as it runs.</p>
      ) : (
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-24 w-full text-sky-600 dark:text-sky-400" preserveAspectRatio="none" role="img" aria-label={`Depth from ${formatCount(points[0]!.depth)} to ${formatCount(last!.depth)}`}>
          <polygon points={`${x(points[0]!.at).toFixed(1)},${HEIGHT} ${line} ${x(last!.at).toFixed(1)},${HEIGHT}`} fill="currentColor" opacity="0.15" />
          <polyline points={line} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
        </svg>
      )}
    </section>
  );
}
