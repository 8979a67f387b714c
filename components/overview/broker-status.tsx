import type { BrokerOverviewDto } from "@/lib/api/schemas/queues";
import { BrokerKindBadge } from "./broker-badge";

/** One line per broker that could not be read, with its error; the rest of the page still works. */
export function BrokerStatus({ brokers }: { brokers: readonly BrokerOverviewDto[] }) {
  const down = brokers.filter((broker) => broker.status === "down");
  if (down.length === 0) return null;
  return (
    <ul className="mb-4 space-y-2" aria-label="Brokers that are down">
      {down.map((broker) => (
        <li
          key={broker.name}
          role="alert"
          className="flex flex-wrap items-center gap-2 rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
        >
          <BrokerKindBadge kind={broker.kind} />
          <span className="font-medium">{broker.name} is down</span>
          <span className="font-mono text-xs break-all">{broker.error?.message}</span>
        </li>
      ))}
    </ul>
  );
}
