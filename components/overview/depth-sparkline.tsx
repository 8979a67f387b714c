import type { DepthTrendDto } from "@/lib/api/schemas/queues";
import { formatCount } from "@/lib/client/format";

const WIDTH = 80;
const HEIGHT = 20;

/** The points of a trend as an SVG polyline, time on x, depth on y (0 at the bottom). */
function polyline(points: DepthTrendDto["points"]): string {
  const first = points[0]!.at;
  const span = Math.max(1, points.at(-1)!.at - first);
  const top = Math.max(1, ...points.map((point) => point.depth));
  return points
    .map((point) => `${(((point.at - first) / span) * WIDTH).toFixed(1)},${(HEIGHT - 1 - (point.depth / top) * (HEIGHT - 2)).toFixed(1)}`)
    .join(" ");
}

/** Change over the last hour: a sparkline and the signed difference, red when the DLQ grows. */
export function DepthSparkline({ trend }: { trend: DepthTrendDto | null }) {
  if (!trend || trend.change === null || trend.points.length < 2) {
    return <span className="text-zinc-400" title={trend ? "No earlier sample yet: the console samples depths once a minute" : "Depth history unavailable (database)"}>—</span>;
  }
  const { change } = trend;
  const tone = change > 0 ? "text-red-600 dark:text-red-400" : change < 0 ? "text-emerald-600 dark:text-emerald-400" : "text-zinc-500";
  const label = `${change > 0 ? "+" : change < 0 ? "−" : "±"}${formatCount(Math.abs(change))}`;
  return (
    <span className={`inline-flex items-center justify-end gap-1.5 ${tone}`} title={`${label} in the last hour`}>
      <svg width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true" className="overflow-visible">
        <polyline points={polyline(trend.points)} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
      </svg>
      <span className="tabular-nums" data-testid="dlq-change">{label}</span>
    </span>
  );
}
