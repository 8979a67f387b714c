// The SDK clients (messages over AMQP, discovery over the ATOM administration API), error mapping
// to BrokerError, and retries with backoff and jitter (rule 6). Nothing else here knows the SDK's
// error shapes.
import { DefaultAzureCredential } from "@azure/identity";
import {
  isServiceBusError,
  ServiceBusAdministrationClient,
  type ServiceBusAdministrationClientOptions,
  ServiceBusClient,
  type ServiceBusReceiver,
  type ServiceBusSender,
} from "@azure/service-bus";
import { brokerError, BrokerError, type BrokerErrorCode } from "../errors";
import { withRetry } from "../retry";
import type { DlqAddress, EntityRef } from "./address";
import type { ServicebusOptions } from "./options";

const SERVICE_BUS_CODES: Readonly<Record<string, BrokerErrorCode>> = {
  MessagingEntityNotFound: "not-found",
  MessageNotFound: "not-found",
  ServiceBusy: "throttled",
  ServiceTimeout: "unavailable",
  ServiceCommunicationProblem: "unavailable",
  UnauthorizedAccess: "access-denied",
  MessageSizeExceeded: "invalid-request",
  QuotaExceeded: "refused",
  MessagingEntityDisabled: "refused",
  SessionCannotBeLocked: "refused",
  MessageLockLost: "broker-error",
  SessionLockLost: "broker-error",
};

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED"]);

/** The broker error code for what the SDK (or the admin client's HTTP pipeline) threw. */
export function classifyServicebusError(error: unknown): BrokerErrorCode {
  if (error instanceof BrokerError) return error.code;
  if (isServiceBusError(error)) {
    const mapped = SERVICE_BUS_CODES[error.code];
    if (mapped) return mapped;
    return error.retryable ? "unavailable" : "broker-error";
  }
  if (error instanceof Error) {
    const { code, statusCode } = error as Error & { code?: string; statusCode?: number };
    if (code === "MessageEntityNotFoundError" || code === "MessagingEntityNotFoundError" || statusCode === 404) return "not-found";
    if (statusCode === 401 || statusCode === 403 || code === "UnauthorizedRequestError") return "access-denied";
    if (statusCode === 429 || code === "ServerBusyError") return "throttled";
    if ((statusCode ?? 0) >= 500 || (code && NETWORK_CODES.has(code))) return "unavailable";
    if (statusCode === 400 || statusCode === 413) return "invalid-request";
    if (error.name === "CredentialUnavailableError" || error.name === "AuthenticationError") return "access-denied";
  }
  return "broker-error";
}

/** True for MessageLockLost: the lock lapsed or the message was settled elsewhere. */
export function isLockLost(error: unknown): boolean {
  return isServiceBusError(error) && (error.code === "MessageLockLost" || error.code === "SessionLockLost");
}

export function errorText(error: unknown): string {
  if (isServiceBusError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** True where the connection string points at a local emulator (the admin client then speaks http). */
export function isDevelopmentEmulator(connectionString: string): boolean {
  return /(^|;)\s*UseDevelopmentEmulator=true\s*(;|$)/.test(connectionString);
}

/** The admin (ATOM) client for a connection string, speaking http to a development emulator. */
export function adminClientFor(connectionString: string, options: ServiceBusAdministrationClientOptions = {}): ServiceBusAdministrationClient {
  const admin = new ServiceBusAdministrationClient(connectionString, options);
  if (isDevelopmentEmulator(connectionString)) {
    // The admin client ignores UseDevelopmentEmulator and always speaks https; the emulator
    // serves it over http on the AMQP port. Added after construction: additionalPolicies are dropped.
    admin.pipeline.addPolicy({
      name: "servicebus-emulator-http",
      sendRequest: (request, next) => {
        request.url = request.url.replace(/^https:/, "http:");
        request.allowInsecureConnection = true;
        return next(request);
      },
    });
  }
  return admin;
}

/** One namespace: the SDK clients, a cache of senders and peek receivers, and the retry policy. */
export class ServicebusConnection {
  readonly client: ServiceBusClient;
  readonly admin: ServiceBusAdministrationClient;
  private readonly senders = new Map<string, ServiceBusSender>();
  private readonly peekers = new Map<string, ServiceBusReceiver>();

  constructor(
    readonly broker: string,
    readonly options: ServicebusOptions,
  ) {
    // Retries are ours (backoff with jitter, rule 6), so the SDK makes each call once.
    const retryOptions = { maxRetries: 0, timeoutInMs: options.operationTimeoutMs };
    const adminOptions = { retryOptions: { maxRetries: 0 } };
    if ("connectionString" in options) {
      this.client = new ServiceBusClient(options.connectionString, { retryOptions });
      this.admin = adminClientFor(options.connectionString, adminOptions);
    } else {
      const credential = new DefaultAzureCredential();
      this.client = new ServiceBusClient(options.namespace, credential, { retryOptions });
      this.admin = new ServiceBusAdministrationClient(options.namespace, credential, adminOptions);
    }
  }

  /** A BrokerError naming the broker and queue, with the SDK error as cause. */
  error(cause: unknown, queue: string | null, code = classifyServicebusError(cause)): BrokerError {
    if (cause instanceof BrokerError) return cause;
    const message = code === "not-found" ? `the entity "${queue}" does not exist (${errorText(cause)})` : errorText(cause);
    return brokerError(code, this.broker, message, { queue, cause });
  }

  /** Run one SDK call, retrying throttling and connection loss with backoff; map the rest to BrokerError. */
  async call<T>(queue: string | null, work: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(work, {
        attempts: this.options.retryAttempts,
        baseMs: this.options.retryBaseMs,
        capMs: this.options.retryCapMs,
        isTransient: (error) => {
          const code = classifyServicebusError(error);
          return code === "throttled" || code === "unavailable";
        },
      });
    } catch (error) {
      throw this.error(error, queue);
    }
  }

  /** A receiver on the DLQ. Bodies stay raw bytes and dates stay dates, so a copy is exact. */
  receiver(address: DlqAddress, receiveMode: "peekLock" | "receiveAndDelete" = "peekLock"): ServiceBusReceiver {
    // The SDK's lock renewer is keyed by message id, which repeats in a DLQ; locks.ts renews by sequence number.
    const options = { receiveMode, subQueueType: address.subQueue, skipParsingBodyAsJson: true, skipConvertingDate: true, maxAutoLockRenewalDurationInMs: 0 };
    const { entity } = address;
    return entity.kind === "queue"
      ? this.client.createReceiver(entity.queue, options)
      : this.client.createReceiver(entity.topic, entity.subscription, options);
  }

  /** A cached receiver used only to peek (it opens just the management link). */
  peeker(address: DlqAddress): ServiceBusReceiver {
    const key = address.id.toLowerCase();
    let receiver = this.peekers.get(key);
    if (!receiver || receiver.isClosed) {
      receiver = this.receiver(address);
      this.peekers.set(key, receiver);
    }
    return receiver;
  }

  /** A cached sender to a queue or topic. */
  sender(entity: string): ServiceBusSender {
    const key = entity.toLowerCase();
    let sender = this.senders.get(key);
    if (!sender || sender.isClosed) {
      sender = this.client.createSender(entity);
      this.senders.set(key, sender);
    }
    return sender;
  }

  /** Forget a sender whose link failed, so the next call opens a fresh one. */
  async dropSender(entity: string): Promise<void> {
    const key = entity.toLowerCase();
    const sender = this.senders.get(key);
    this.senders.delete(key);
    // The link already failed; closing it is best effort and its error says nothing new.
    await sender?.close().catch(() => undefined);
  }

  ruleManager(entity: Extract<EntityRef, { kind: "subscription" }>) {
    return this.client.createRuleManager(entity.topic, entity.subscription);
  }

  async close(): Promise<void> {
    const links = [...this.senders.values(), ...this.peekers.values()];
    this.senders.clear();
    this.peekers.clear();
    await Promise.allSettled(links.map((link) => link.close()));
    await this.client.close();
  }
}

export { mapLimit } from "../concurrency";
