// Connection options of the Service Bus adapter, parsed from the brokers file. No SDK here.
import { z } from "zod";

/** Settings both connection forms share; each has a default, so a bare connection works. */
const tuning = {
  /**
   * Consent to add one correlation rule, `dlq-console-replay` (application property
   * `dlq-console-replay-target` = the subscription's path), to a subscription whose own rules no
   * longer match a message replayed from its DLQ, so the replay reaches it through its topic.
   * The rule matches nothing else; it stays in place for later replays. Default: false (such a
   * replay is refused and the preview says why).
   */
  addReplayRules: z.boolean().default(false),
  /** The most DLQ messages one replay / remove holds locked while it looks for its targets. Default: 5000. */
  maxScan: z.number().int().min(1).default(5000),
  /** How long a receive waits for the first message before it counts the DLQ as drained, ms. Default: 1000. */
  receiveWaitMs: z.number().int().min(10).default(1000),
  /** How long a move keeps renewing the locks it holds, ms; past it a lapsed lock is reported. Default: 300 000. */
  lockRenewalMaxMs: z.number().int().min(0).default(300_000),
  /** Attempts in all for a call that failed transiently (ServiceBusy, connection loss). Default: 5. */
  retryAttempts: z.number().int().min(1).default(5),
  /** Backoff base and cap, ms: min(cap, base * 2^attempt) + jitter up to base. Default: 200 / 10 000. */
  retryBaseMs: z.number().int().min(1).default(200),
  retryCapMs: z.number().int().min(1).default(10_000),
  /** Timeout of one SDK operation, ms. Default: 30 000. */
  operationTimeoutMs: z.number().int().min(100).default(30_000),
};

export const servicebusOptionsSchema = z.union([
  z
    .object({
      /** A namespace or emulator connection string (Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...). */
      connectionString: z.string().min(1),
      ...tuning,
    })
    .strict(),
  z
    .object({
      /** Fully qualified namespace (name.servicebus.windows.net), signed in with DefaultAzureCredential. */
      namespace: z.string().min(1),
      ...tuning,
    })
    .strict(),
]);

export type ServicebusOptions = z.infer<typeof servicebusOptionsSchema>;
export type ServicebusOptionsInput = z.input<typeof servicebusOptionsSchema>;

/** The secret values in these options. */
export function servicebusSecrets(options: ServicebusOptions): string[] {
  if (!("connectionString" in options)) return [];
  const key = /SharedAccessKey=([^;]+)/i.exec(options.connectionString)?.[1];
  return [options.connectionString, ...(key ? [key] : [])];
}
