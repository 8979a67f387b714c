import type { BrokerKind } from "@/lib/brokers/types";
import { isProduction } from "@/lib/client/overview-rows";

const KIND_LABEL: Record<BrokerKind, string> = { servicebus: "Service Bus", sqs: "SQS", rabbitmq: "RabbitMQ" };
const KIND_STYLE: Record<BrokerKind, string> = {
  servicebus: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  sqs: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  rabbitmq: "bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-300",
};

export function BrokerKindBadge({ kind }: { kind: BrokerKind }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${KIND_STYLE[kind]}`}>{KIND_LABEL[kind]}</span>;
}

export function EnvironmentBadge({ environment }: { environment: string | null }) {
  if (!environment) return null;
  const style = isProduction(environment)
    ? "bg-red-600 text-white"
    : "bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300";
  return <span className={`rounded px-1.5 py-0.5 text-xs font-semibold uppercase ${style}`}>{environment}</span>;
}
