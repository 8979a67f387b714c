// Alert rules on DLQs, not on individual failures: which DLQs a rule watches, when it fires and
// resolves (with hysteresis, so a depth hovering at the threshold does not flap), and the webhook
// bodies for generic JSON, Slack and Microsoft Teams. Pure, so tested without a database.

export const ALERT_METRICS = ["depth", "age", "growth"] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];
export const ALERT_FORMATS = ["generic", "slack", "teams"] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

export interface AlertRuleSpec {
  readonly id: string;
  readonly name: string;
  /** Globs on broker names and DLQ ids. */
  readonly broker: string;
  readonly queue: string;
  readonly metric: AlertMetric;
  readonly threshold: number;
  readonly resolveBelow: number;
  readonly windowMinutes: number;
  readonly format: AlertFormat;
}

/** "*" matches any run of characters; everything else literally, case-sensitive like queue names. */
export function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(value);
}

/** True when the rule watches this DLQ. */
export function ruleWatches(rule: Pick<AlertRuleSpec, "broker" | "queue">, broker: string, queueId: string): boolean {
  return globMatches(rule.broker, broker) && globMatches(rule.queue, queueId);
}

export type Transition = "fired" | "resolved" | null;

/**
 * The next state of a rule on one DLQ: it fires when the value goes above the threshold, and only
 * resolves once the value is at or below resolveBelow; in between it stays as it was.
 */
export function nextState(firing: boolean, value: number, rule: Pick<AlertRuleSpec, "threshold" | "resolveBelow">): { firing: boolean; transition: Transition } {
  if (!firing && value > rule.threshold) return { firing: true, transition: "fired" };
  if (firing && value <= rule.resolveBelow) return { firing: false, transition: "resolved" };
  return { firing, transition: null };
}

export interface AlertEvent {
  readonly event: "fired" | "resolved";
  readonly rule: Pick<AlertRuleSpec, "id" | "name" | "metric" | "threshold" | "windowMinutes">;
  readonly broker: string;
  readonly queueId: string;
  readonly value: number;
  /** The filtered queue view: straight from the chat message to the dead letters. */
  readonly link: string;
  readonly at: Date;
}

function describeValue(event: AlertEvent): string {
  const { metric, threshold, windowMinutes } = event.rule;
  if (metric === "depth") return `${event.value} messages (threshold ${threshold})`;
  if (metric === "age") return `oldest message ${event.value} s old (threshold ${threshold} s)`;
  return `grew by ${event.value} in ${windowMinutes} min (threshold ${threshold})`;
}

/** The webhook body for one alert event in the rule's format. */
export function webhookBody(format: AlertFormat, event: AlertEvent): unknown {
  const verb = event.event === "fired" ? "FIRING" : "RESOLVED";
  const title = `[${verb}] ${event.rule.name}: ${event.broker} / ${event.queueId}`;
  const text = `${describeValue(event)}`;
  switch (format) {
    case "generic":
      return {
        event: event.event,
        rule: { id: event.rule.id, name: event.rule.name, metric: event.rule.metric, threshold: event.rule.threshold },
        broker: event.broker,
        queue: event.queueId,
        value: event.value,
        link: event.link,
        at: event.at.toISOString(),
      };
    case "slack":
      return {
        text: `${title}: ${text}`,
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: `*${title}*\n${text}` } },
          { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open the DLQ" }, url: event.link }] },
        ],
      };
    case "teams":
      return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        summary: title,
        themeColor: event.event === "fired" ? "D13438" : "2EB886",
        title,
        text,
        potentialAction: [{ "@type": "OpenUri", name: "Open the DLQ", targets: [{ os: "default", uri: event.link }] }],
      };
  }
}
