// The SQS client, its retries (rule 6), error mapping, and queue-name → URL resolution.
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SQSClient,
  SQSServiceException,
  type QueueAttributeName,
} from "@aws-sdk/client-sqs";
import { brokerError, type BrokerError, type BrokerErrorCode } from "../errors";
import type { SqsOptions } from "./options";

/** One SQS queue as the adapter addresses it. The console's queue id is the queue name. */
export interface SqsQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
  /** The queue's MaximumMessageSize: what SQS accepts per message and per batch. */
  readonly maxMessageBytes: number;
}

const ERROR_CODES: Readonly<Record<string, BrokerErrorCode>> = {
  QueueDoesNotExist: "not-found",
  "AWS.SimpleQueueService.NonExistentQueue": "not-found",
  PurgeQueueInProgress: "refused",
  "AWS.SimpleQueueService.PurgeQueueInProgress": "refused",
  AccessDenied: "access-denied",
  AccessDeniedException: "access-denied",
  InvalidClientTokenId: "access-denied",
  SignatureDoesNotMatch: "access-denied",
  UnrecognizedClientException: "access-denied",
  ExpiredToken: "access-denied",
  KmsAccessDenied: "access-denied",
  ThrottlingException: "throttled",
  Throttling: "throttled",
  RequestThrottled: "throttled",
  OverLimit: "throttled",
  KmsThrottled: "throttled",
  InvalidParameterValue: "invalid-request",
  InvalidMessageContents: "invalid-request",
  MissingParameter: "invalid-request",
  InvalidAttributeName: "invalid-request",
  InvalidAttributeValue: "invalid-request",
  BatchRequestTooLong: "invalid-request",
  TooManyEntriesInBatchRequest: "invalid-request",
  BatchEntryIdsNotDistinct: "invalid-request",
  UnsupportedOperation: "invalid-request",
  InvalidAction: "invalid-request",
};

const NETWORK_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "TimeoutError"]);

/** The broker error code for what the SDK threw. */
export function classifySqsError(error: unknown): BrokerErrorCode {
  if (error instanceof SQSServiceException) {
    const mapped = ERROR_CODES[error.name];
    if (mapped) return mapped;
    const status = error.$metadata?.httpStatusCode ?? 0;
    if (status === 429 || error.$retryable?.throttling) return "throttled";
    if (status >= 500) return "unavailable";
    if (status === 403) return "access-denied";
    return "broker-error";
  }
  if (error instanceof Error) {
    const code = (error as Error & { code?: string }).code;
    if (NETWORK_ERRORS.has(error.name) || (code && NETWORK_ERRORS.has(code))) return "unavailable";
    const status = (error as Error & { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
    if (status >= 500) return "unavailable";
    if (ERROR_CODES[error.name]) return ERROR_CODES[error.name]!;
  }
  return "broker-error";
}

/** Backoff before retry number `attempt` (0-based): min(cap, base * 2^attempt) + random jitter up to base. */
export function backoffDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.min(capMs, baseMs * 2 ** attempt) + Math.floor(random() * baseMs);
}

/** The SDK client plus the adapter's retry policy, error mapping and queue cache. */
export class SqsConnection {
  readonly client: SQSClient;
  private readonly queues = new Map<string, Promise<SqsQueue>>();

  constructor(
    readonly broker: string,
    readonly options: SqsOptions,
  ) {
    this.client = new SQSClient({
      region: options.region,
      // Emulators hand out queue URLs whose host may not resolve; an explicit endpoint wins.
      ...(options.endpoint ? { endpoint: options.endpoint, useQueueUrlAsEndpoint: false } : {}),
      // A copy: the SDK writes bookkeeping fields onto the credentials object it is given.
      ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
      // Retries are ours (rule 6), so the SDK must not multiply them.
      maxAttempts: 1,
    });
  }

  /** Make one SDK call, retrying throttling, 5xx and network errors with backoff; map the rest to BrokerError. */
  async call<O>(request: (client: SQSClient) => Promise<O>, queue: string | null = null): Promise<O> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(this.client);
      } catch (error) {
        const code = classifySqsError(error);
        const transient = code === "throttled" || code === "unavailable";
        if (!transient || attempt >= this.options.maxRetries) throw this.error(code, error, queue);
        await sleep(backoffDelayMs(attempt, this.options.retryBaseMs, this.options.retryCapMs));
      }
    }
  }

  /** A BrokerError naming the broker and queue, with the SDK error as cause. */
  error(code: BrokerErrorCode, cause: unknown, queue: string | null): BrokerError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const message =
      code === "not-found"
        ? `queue "${queue}" does not exist`
        : code === "refused" && /purge/i.test(detail)
          ? `SQS allows one PurgeQueue per queue every 60 seconds and one is already in progress; try again in a minute (${detail})`
          : detail;
    return brokerError(code, this.broker, message, { queue, cause });
  }

  /** Resolve a queue id (its name) to URL, ARN and FIFO flag; cached for the adapter's life. */
  queue(name: string): Promise<SqsQueue> {
    let pending = this.queues.get(name);
    if (!pending) {
      pending = this.lookup(name);
      this.queues.set(name, pending);
      pending.catch(() => this.queues.delete(name));
    }
    return pending;
  }

  /** Attributes of one queue by URL. */
  async attributes(url: string, queue: string, names: QueueAttributeName[] = ["All"]): Promise<Record<string, string>> {
    const output = await this.call((client) => client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names })), queue);
    return output.Attributes ?? {};
  }

  private async lookup(name: string): Promise<SqsQueue> {
    if (!isQueueName(name)) throw brokerError("not-found", this.broker, `queue "${name}" does not exist`, { queue: name });
    const { QueueUrl: url } = await this.call((client) => client.send(new GetQueueUrlCommand({ QueueName: name })), name);
    if (!url) throw brokerError("not-found", this.broker, `queue "${name}" does not exist`, { queue: name });
    const attributes = await this.attributes(url, name, ["QueueArn", "FifoQueue", "MaximumMessageSize"]);
    return {
      name,
      url,
      arn: attributes.QueueArn ?? "",
      fifo: attributes.FifoQueue === "true" || name.endsWith(".fifo"),
      maxMessageBytes: Number(attributes.MaximumMessageSize ?? 262_144),
    };
  }
}

/** SQS queue names: 1–80 alphanumerics, hyphens and underscores, plus ".fifo" for FIFO queues. */
export function isQueueName(name: string): boolean {
  return /^[A-Za-z0-9_-]{1,75}(\.fifo)?$/.test(name) && name.length <= 80;
}

/** The queue name at the end of an SQS ARN or URL. */
export function queueNameOf(arnOrUrl: string): string {
  return arnOrUrl.split(/[:/]/).pop() ?? arnOrUrl;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { mapLimit } from "../concurrency";
