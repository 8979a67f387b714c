// A small client for the RabbitMQ management HTTP API: discovery reads only (queues, bindings, exchanges).
import { z } from "zod";
import { brokerError } from "../errors";
import { backoffDelay } from "./connection";
import type { RabbitmqOptions } from "./options";

const argumentsSchema = z.record(z.string(), z.unknown()).catch({});

export const managedQueueSchema = z.object({
  name: z.string(),
  type: z.string().optional(),
  durable: z.boolean().optional(),
  auto_delete: z.boolean().optional(),
  exclusive: z.boolean().nullish(),
  arguments: argumentsSchema.optional(),
  policy: z.string().nullish(),
  effective_policy_definition: argumentsSchema.nullish(),
  messages: z.number().nullish(),
  messages_ready: z.number().nullish(),
  messages_unacknowledged: z.number().nullish(),
  consumers: z.number().nullish(),
  head_message_timestamp: z.number().nullish(),
});
export type ManagedQueue = z.infer<typeof managedQueueSchema>;

export const bindingSchema = z.object({
  source: z.string(),
  destination: z.string(),
  destination_type: z.enum(["queue", "exchange"]),
  routing_key: z.string(),
});
export type Binding = z.infer<typeof bindingSchema>;

export const exchangeSchema = z.object({
  name: z.string(),
  type: z.string(),
  arguments: argumentsSchema.optional(),
  effective_policy_definition: argumentsSchema.nullish(),
});
export type ManagedExchange = z.infer<typeof exchangeSchema>;

/** Where the management API lives, its credentials and the vhost, derived from the options. */
export function managementTarget(options: RabbitmqOptions): { baseUrl: string; authorization: string; vhost: string } {
  const amqpUrl = new URL(options.url);
  const vhost = decodeURIComponent(amqpUrl.pathname.replace(/^\//, "")) || "/";
  const base = new URL(options.managementUrl ?? `http://${amqpUrl.hostname}:15672`);
  const username = decodeURIComponent(base.username || amqpUrl.username || "guest");
  const password = decodeURIComponent(base.password || amqpUrl.password || "guest");
  base.username = "";
  base.password = "";
  return {
    baseUrl: base.toString().replace(/\/$/, ""),
    authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`,
    vhost,
  };
}

export class ManagementClient {
  private readonly target: ReturnType<typeof managementTarget>;

  constructor(
    private readonly broker: string,
    private readonly options: RabbitmqOptions,
  ) {
    this.target = managementTarget(options);
  }

  get vhost(): string {
    return this.target.vhost;
  }

  /** GET a path under /api, with {vhost} filled in; null on 404. Retries network failures with backoff. */
  async get<T>(path: string, schema: z.ZodType<T>, queue: string | null = null): Promise<T | null> {
    const url = `${this.target.baseUrl}/api/${path.replace("{vhost}", encodeURIComponent(this.target.vhost))}`;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, { headers: { authorization: this.target.authorization }, signal: AbortSignal.timeout(10_000) });
      } catch (error) {
        if (attempt + 1 >= this.options.connectAttempts) {
          throw brokerError("unavailable", this.broker, `management API unreachable at ${this.target.baseUrl}`, { queue, cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, this.options.backoffBaseMs, this.options.backoffCapMs)));
        continue;
      }
      if (response.status === 404) return null;
      if (response.status === 401 || response.status === 403) {
        throw brokerError("access-denied", this.broker, `management API refused access (HTTP ${response.status})`, { queue });
      }
      if (!response.ok) throw brokerError("broker-error", this.broker, `management API answered HTTP ${response.status} for ${path}`, { queue });
      return schema.parse(await response.json());
    }
  }

  async queues(): Promise<ManagedQueue[]> {
    return (await this.get("queues/{vhost}", z.array(managedQueueSchema))) ?? [];
  }

  async queue(name: string): Promise<ManagedQueue | null> {
    return this.get(`queues/{vhost}/${encodeURIComponent(name)}`, managedQueueSchema, name);
  }

  async bindings(): Promise<Binding[]> {
    return (await this.get("bindings/{vhost}", z.array(bindingSchema))) ?? [];
  }

  async exchanges(): Promise<ManagedExchange[]> {
    return (await this.get("exchanges/{vhost}", z.array(exchangeSchema))) ?? [];
  }
}
