// Queue hygiene: the dead-letter configuration mistakes that page people at 2 am, checked from the
// settings every broker already reports. Pure, so each finding is tested without a broker.
import type { BrokerKind, QueueSettings } from "@/lib/brokers/types";

export const FINDING_CODES = [
  "no-dead-letter-path",
  "dead-letter-routes-nowhere",
  "expired-messages-dropped",
  "delivery-cap-missing",
  "delivery-cap-one",
  "delivery-cap-high",
  "dlq-retention-shorter",
  "ordered-source-unordered-dlq",
  "dlq-has-consumers",
  "dlq-no-alert-rule",
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  readonly code: FindingCode;
  readonly severity: "high" | "medium" | "low";
  /** The queue the finding is about. */
  readonly queue: { readonly id: string; readonly name: string };
  /** What is wrong, with the numbers. */
  readonly problem: string;
  /** How to fix it on this broker. */
  readonly fix: string;
}

/** A cap above this burns a consumer that many times per poison message. */
export const HIGH_DELIVERY_CAP = 20;

const FIX: Record<BrokerKind, Partial<Record<FindingCode, string>>> = {
  rabbitmq: {
    "no-dead-letter-path": "Set x-dead-letter-exchange (argument or policy) to an exchange bound to a DLQ.",
    "dead-letter-routes-nowhere": "Bind a DLQ to the dead-letter exchange with the dead-letter routing key, or fix the x-dead-letter-exchange / x-dead-letter-routing-key.",
    "delivery-cap-missing": "Use a quorum queue with x-delivery-limit (or a policy delivery-limit) so a poison message is dead-lettered instead of redelivered forever.",
    "delivery-cap-one": "Raise x-delivery-limit: one failed delivery (a deploy, a timeout) dead-letters the message.",
    "delivery-cap-high": `Lower x-delivery-limit to ${HIGH_DELIVERY_CAP} or less.`,
    "dlq-retention-shorter": "Raise the DLQ's x-message-ttl (or remove it) so dead letters outlive the source's messages.",
    "dlq-has-consumers": "Find and stop the consumer on the DLQ (management UI: Consumers), or make it a deliberate, documented reprocessor.",
  },
  sqs: {
    "no-dead-letter-path": "Add a RedrivePolicy with a deadLetterTargetArn and a maxReceiveCount.",
    "delivery-cap-one": "Raise maxReceiveCount in the RedrivePolicy: one failed receive (a deploy, a timeout) dead-letters the message.",
    "delivery-cap-high": `Lower maxReceiveCount in the RedrivePolicy to ${HIGH_DELIVERY_CAP} or less.`,
    "dlq-retention-shorter":
      "Raise the DLQ's MessageRetentionPeriod above the source's: on a standard queue a message keeps its original enqueue time, so it can expire from the DLQ soon after it lands.",
    "ordered-source-unordered-dlq": "Point the FIFO queue's RedrivePolicy at a FIFO DLQ.",
    "dlq-has-consumers": "Find and stop whatever receives from the DLQ.",
  },
  servicebus: {
    "expired-messages-dropped": "Turn on dead-lettering on message expiration (deadLetteringOnMessageExpiration), or the expired messages vanish without a trace.",
    "delivery-cap-one": "Raise MaxDeliveryCount: one abandoned delivery dead-letters the message.",
    "delivery-cap-high": `Lower MaxDeliveryCount (Service Bus defaults to 10) to ${HIGH_DELIVERY_CAP} or less.`,
    "dlq-has-consumers": "Find and stop the receiver on the DLQ.",
  },
};

const SEVERITY: Record<FindingCode, Finding["severity"]> = {
  "no-dead-letter-path": "high",
  "dead-letter-routes-nowhere": "high",
  "expired-messages-dropped": "high",
  "delivery-cap-missing": "medium",
  "delivery-cap-one": "medium",
  "delivery-cap-high": "medium",
  "dlq-retention-shorter": "medium",
  "ordered-source-unordered-dlq": "high",
  "dlq-has-consumers": "low",
  "dlq-no-alert-rule": "medium",
};

const NO_ALERT_FIX = "Add an alert rule on this DLQ's depth or growth (Alerts page), so it pages before a customer does.";

const days = (seconds: number) => `${Math.round((seconds / 86_400) * 10) / 10} d`;

/**
 * Every finding on one broker's queues. `alerted` says whether an enabled alert rule watches a
 * DLQ; omitted, the alert check is skipped.
 */
export function checkQueues(kind: BrokerKind, queues: readonly QueueSettings[], alerted?: (queueId: string) => boolean): Finding[] {
  const findings: Finding[] = [];
  const byId = new Map(queues.map((queue) => [queue.id, queue]));
  const add = (code: FindingCode, queue: QueueSettings, problem: string) =>
    findings.push({ code, severity: SEVERITY[code], queue: { id: queue.id, name: queue.name }, problem, fix: code === "dlq-no-alert-rule" ? NO_ALERT_FIX : (FIX[kind][code] ?? "") });

  for (const queue of queues) {
    if (queue.role === "dlq") {
      if (queue.consumers) add("dlq-has-consumers", queue, `${queue.consumers} consumer(s) attached: something is draining this DLQ, silently.`);
      if (alerted && !alerted(queue.id)) add("dlq-no-alert-rule", queue, "No alert rule watches this DLQ: it can fill up unnoticed.");
      continue;
    }
    if (!queue.deadLetterConfigured) {
      add("no-dead-letter-path", queue, "No dead-letter path: a message that keeps failing is redelivered forever or lost.");
      continue;
    }
    if (queue.deadLetterTargets.length === 0) {
      add("dead-letter-routes-nowhere", queue, "The dead-letter path is set but routes to no queue: dead letters are dropped.");
    }
    if (queue.messageTtlSeconds !== null && queue.deadLettersOnExpiry === false) {
      add("expired-messages-dropped", queue, `Messages expire after ${days(queue.messageTtlSeconds)} and are then dropped, not dead-lettered.`);
    }
    if (queue.maxDeliveryCount === null) {
      if (queue.deliveryCapSupported) add("delivery-cap-missing", queue, "No delivery cap: a poison message is redelivered forever.");
    } else if (queue.maxDeliveryCount <= 1) {
      add("delivery-cap-one", queue, `Delivery cap ${queue.maxDeliveryCount}: the first failure dead-letters the message.`);
    } else if (queue.maxDeliveryCount > HIGH_DELIVERY_CAP) {
      add("delivery-cap-high", queue, `Delivery cap ${queue.maxDeliveryCount}: a poison message burns the consumer ${queue.maxDeliveryCount} times.`);
    }
    for (const target of queue.deadLetterTargets) {
      const dlq = byId.get(target.id);
      if (!dlq) continue;
      if (queue.retentionSeconds !== null && dlq.retentionSeconds !== null && dlq.retentionSeconds < queue.retentionSeconds) {
        add("dlq-retention-shorter", dlq, `${dlq.name} keeps messages ${days(dlq.retentionSeconds)}, less than its source ${queue.name} (${days(queue.retentionSeconds)}).`);
      }
      if (queue.ordered && !dlq.ordered) {
        add("ordered-source-unordered-dlq", queue, `${queue.name} is ordered (FIFO/sessions) but its DLQ ${dlq.name} is not: replays would lose the order key.`);
      }
    }
  }
  return findings;
}
