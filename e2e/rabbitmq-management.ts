// Reads RabbitMQ's own management API, so e2e tests compare what the console shows with what the
// broker says, not with the console's own API.
/** The vhost the e2e console seeds (playwright.config.ts); E2E_RABBITMQ_VHOST lets two runs share a broker. */
export const SANDBOX_VHOST = process.env.E2E_RABBITMQ_VHOST ?? "dlq-e2e";
const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? "http://127.0.0.1:15672";
const AUTH = `Basic ${Buffer.from("guest:guest").toString("base64")}`;

export interface ManagementQueue {
  readonly name: string;
  readonly messages: number;
  readonly arguments: Record<string, unknown>;
}

/** Every queue of the sandbox vhost with its message count, as RabbitMQ reports it. */
export async function sandboxQueues(): Promise<ManagementQueue[]> {
  const response = await fetch(`${MANAGEMENT_URL}/api/queues/${encodeURIComponent(SANDBOX_VHOST)}?columns=name,messages,arguments`, {
    headers: { Authorization: AUTH },
  });
  if (!response.ok) throw new Error(`management API: ${response.status} ${await response.text()}`);
  return (await response.json()) as ManagementQueue[];
}

async function management(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${MANAGEMENT_URL}/api/${path}`, {
    method,
    headers: { Authorization: AUTH, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && !(method === "DELETE" && response.status === 404)) throw new Error(`management API ${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

const vhost = () => encodeURIComponent(SANDBOX_VHOST);

/** A message as the management API publishes it (properties in AMQP's snake_case). */
export interface ManagementMessage {
  readonly payload: string;
  readonly properties: Record<string, unknown>;
}

/**
 * A fresh DLQ `<prefix>.dlq` fed by `<prefix>.work`, filled the way RabbitMQ dead-letters: the
 * messages are published to the work queue, then rejected without requeue, in order.
 */
export async function deadLetterThroughQueue(prefix: string, messages: readonly ManagementMessage[]): Promise<void> {
  const [dlx, dlq, work] = [`${prefix}.dlx`, `${prefix}.dlq`, `${prefix}.work`];
  await management("PUT", `exchanges/${vhost()}/${encodeURIComponent(dlx)}`, { type: "direct", durable: true });
  await management("PUT", `queues/${vhost()}/${encodeURIComponent(dlq)}`, { durable: true });
  await management("POST", `bindings/${vhost()}/e/${encodeURIComponent(dlx)}/q/${encodeURIComponent(dlq)}`, { routing_key: "dead" });
  await management("PUT", `queues/${vhost()}/${encodeURIComponent(work)}`, {
    durable: true,
    arguments: { "x-dead-letter-exchange": dlx, "x-dead-letter-routing-key": "dead" },
  });
  for (const message of messages) {
    const result = (await management("POST", `exchanges/${vhost()}/amq.default/publish`, {
      properties: { delivery_mode: 2, timestamp: Math.floor(Date.now() / 1000), ...message.properties },
      routing_key: work,
      payload: message.payload,
      payload_encoding: "string",
    })) as { routed: boolean };
    if (!result.routed) throw new Error(`publish to ${work} was not routed`);
  }
  await management("POST", `queues/${vhost()}/${encodeURIComponent(work)}/get`, { count: messages.length, ackmode: "reject_requeue_false", encoding: "auto" });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const queue = (await management("GET", `queues/${vhost()}/${encodeURIComponent(dlq)}?columns=messages`)) as { messages?: number };
    if (queue.messages === messages.length) return;
    if (Date.now() > deadline) throw new Error(`${dlq} holds ${queue.messages ?? 0} of ${messages.length} dead letters`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Delete queues (and `<prefix>.dlx` exchanges named after them) of the sandbox vhost; missing ones are fine. */
export async function deleteQueues(names: readonly string[]): Promise<void> {
  for (const name of names) {
    await management("DELETE", `queues/${vhost()}/${encodeURIComponent(name)}`);
    await management("DELETE", `exchanges/${vhost()}/${encodeURIComponent(name.replace(/\.(dlq|work)$/, ".dlx"))}`);
  }
}
