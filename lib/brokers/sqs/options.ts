// Connection options of the SQS adapter, parsed from the brokers file. No SDK here.
import { z } from "zod";

/** Message attributes that producers commonly set to say why a message failed, checked in order. */
export const DEFAULT_SQS_REASON_ATTRIBUTES = [
  "DeadLetterReason",
  "x-failure-reason",
  "FailureReason",
  "ErrorMessage",
  "error",
] as const;

/** Message attributes that producers commonly use for the body's content type, checked in order. */
export const DEFAULT_SQS_CONTENT_TYPE_ATTRIBUTES = ["ContentType", "contentType", "content-type", "Content-Type"] as const;

export const sqsOptionsSchema = z
  .object({
    /** AWS region. Default: us-east-1. */
    region: z.string().min(1).default("us-east-1"),
    /** Custom endpoint (an emulator, a VPC endpoint). Default: the region's public endpoint. */
    endpoint: z.string().min(1).optional(),
    /** Static credentials. Default: the standard AWS chain (env, profile, role). */
    credentials: z
      .object({
        accessKeyId: z.string().min(1),
        secretAccessKey: z.string().min(1),
        sessionToken: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Only list queues whose name starts with this. Default: every queue. */
    queueNamePrefix: z.string().optional(),
    /** Message attributes read as the failure reason, first match wins. */
    reasonAttributes: z.array(z.string().min(1)).default([...DEFAULT_SQS_REASON_ATTRIBUTES]),
    /** Message attributes read as the body's content type, first match wins. Default: ContentType, contentType, content-type, Content-Type. */
    contentTypeAttributes: z.array(z.string().min(1)).default([...DEFAULT_SQS_CONTENT_TYPE_ATTRIBUTES]),
    /**
     * Most messages one browse reads (and sorts oldest first) before it pages. SQS has no peek and no
     * positions, so each page re-reads up to this many. Default: 1000. For a whole DLQ use scan().
     */
    browseWindow: z.number().int().min(10).max(20_000).default(1000),
    /**
     * Seconds a browse or lookup keeps what it received hidden while it reads the rest, then releases
     * them at once. Never 0 (SQS would hand the same message out again mid-read). Default: 30.
     */
    browseVisibilityTimeoutSeconds: z.number().int().min(1).max(43_200).default(30),
    /**
     * Seconds replay and remove keep what they received hidden while they look for the messages
     * they were given (unselected ones are released when the call ends). Default: 300.
     */
    actionVisibilityTimeoutSeconds: z.number().int().min(1).max(43_200).default(300),
    /** Seconds a scan() keeps messages hidden so it reads each once; released when it ends. Default: 900. */
    scanVisibilityTimeoutSeconds: z.number().int().min(1).max(43_200).default(900),
    /** Seconds discovery results are reused (message sources, FIFO flags). Default: 30. */
    discoveryCacheSeconds: z.number().min(0).default(30),
    /** Queue URLs asked for per ListQueues page (SQS allows up to 1000); later pages follow NextToken. Default: 1000. */
    listQueuesPageSize: z.number().int().min(1).max(1000).default(1000),
    /** Concurrent GetQueueAttributes calls during discovery. Default: 8. */
    discoveryConcurrency: z.number().int().min(1).max(64).default(8),
    /** Retries of a throttled or 5xx call: attempts after the first. Default: 5. */
    maxRetries: z.number().int().min(0).max(20).default(5),
    /** Backoff base in ms: delay = min(cap, base * 2^attempt) + random jitter up to base. Default: 100. */
    retryBaseMs: z.number().int().min(1).default(100),
    /** Backoff cap in ms. Default: 20000. */
    retryCapMs: z.number().int().min(1).default(20_000),
  })
  .strict();

export type SqsOptions = z.infer<typeof sqsOptionsSchema>;

/** The secret values in these options. */
export function sqsSecrets(options: SqsOptions): string[] {
  const credentials = options.credentials;
  if (!credentials) return [];
  return [credentials.secretAccessKey, credentials.sessionToken].filter((value): value is string => !!value);
}
