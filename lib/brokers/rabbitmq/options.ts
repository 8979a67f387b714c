// Connection options of the RabbitMQ adapter, parsed from the brokers file. No SDK here.
import { z } from "zod";

export const rabbitmqOptionsSchema = z
  .object({
    /** AMQP 0-9-1 URL with credentials and vhost. Default: the local broker, vhost "/". */
    url: z.string().min(1).default("amqp://guest:guest@127.0.0.1:5672"),
    /** Management HTTP API base URL. Default: the AMQP host on port 15672, same credentials. */
    managementUrl: z.string().min(1).optional(),
    /** Queues to treat as DLQs even where no x-dead-letter-exchange routes to them. Default: none. */
    deadLetterQueues: z.array(z.string().min(1)).default([]),
    /**
     * Where a replay without a destination goes. "source-queue" (default): straight into the queue
     * that dead-lettered it, via the default exchange, so no other queue bound to the original
     * exchange gets a duplicate. "original-exchange": the x-death[0] exchange and routing keys.
     */
    replayTarget: z.enum(["source-queue", "original-exchange"]).default("source-queue"),
    /** Quorum DLQs: deliveries a browse must leave before the delivery limit, else it refuses. Default: 2. */
    deliveryLimitReserve: z.number().int().min(1).default(2),
    /** The most messages one browse / lookup holds unacked while it scans. Default: 5000. */
    maxScan: z.number().int().min(1).default(5000),
    /**
     * The most messages one scan for the console's message index reads (and holds unacked until it
     * requeues them all, in order). Default: 20000.
     */
    maxIndexScan: z.number().int().min(1).default(20_000),
    /** Connection attempts before a call fails as unavailable (backoff with jitter between). Default: 4. */
    connectAttempts: z.number().int().min(1).default(4),
    /** Backoff base and cap in ms: min(cap, base * 2^attempt) + jitter up to base. Default: 200 / 5000. */
    backoffBaseMs: z.number().int().min(1).default(200),
    backoffCapMs: z.number().int().min(1).default(5000),
  })
  .strict();

export type RabbitmqOptions = z.infer<typeof rabbitmqOptionsSchema>;

/** The secret values in these options, so they can be kept out of every response and log line. */
export function rabbitmqSecrets(options: RabbitmqOptions): string[] {
  return [options.url, options.managementUrl].flatMap((raw) => {
    if (!raw) return [];
    try {
      const url = new URL(raw);
      return url.password ? [decodeURIComponent(url.password), raw] : [];
    } catch {
      return [raw]; // unparseable: treat the whole value as secret rather than risk it
    }
  });
}
