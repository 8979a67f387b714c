// Finding DLQs: every queue another queue's RedrivePolicy names as its deadLetterTargetArn.
import { ListDeadLetterSourceQueuesCommand, ListQueuesCommand } from "@aws-sdk/client-sqs";
import { BrokerError } from "../errors";
import type { DeadLetterQueue, QueueRef, QueueSettings } from "../types";
import { mapLimit, queueNameOf, type SqsConnection } from "./client";

/** A source queue with the redrive policy that sends its failures to a DLQ. */
export interface RedriveSource {
  readonly name: string;
  readonly arn: string;
  /** Null where the source lies outside the listing (found via ListDeadLetterSourceQueues only). */
  readonly maxReceiveCount: number | null;
  readonly retentionSeconds: number | null;
}

/** What discovery learned, kept for a few seconds so message decoding can name sources and caps. */
export interface DiscoverySnapshot {
  readonly at: number;
  readonly queues: DeadLetterQueue[];
  /** DLQ name → the queues that dead-letter into it. */
  readonly sources: ReadonlyMap<string, readonly RedriveSource[]>;
  /** Every queue listed, with its settings (hygiene checks). */
  readonly settings: readonly QueueSettings[];
}

interface ListedQueue {
  readonly name: string;
  readonly url: string;
  readonly attributes: Record<string, string>;
}

const toNumber = (value: string | undefined): number => Number(value ?? 0) || 0;

/** Every queue URL under the configured prefix, following NextToken through any number of pages. */
export async function listQueueUrls(connection: SqsConnection): Promise<string[]> {
  const urls: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await connection.call((client) =>
      client.send(new ListQueuesCommand({ QueueNamePrefix: connection.options.queueNamePrefix, MaxResults: connection.options.listQueuesPageSize, NextToken: nextToken })),
    );
    urls.push(...(page.QueueUrls ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return urls;
}

/** Discovery with its own memory of whether the endpoint has ListDeadLetterSourceQueues. */
export class SqsDiscovery {
  private snapshot: DiscoverySnapshot | null = null;
  private inFlight: Promise<DiscoverySnapshot> | null = null;
  /** Emulators (fauxqs) lack ListDeadLetterSourceQueues; learned on the first refusal. */
  private listSourcesSupported = true;

  constructor(private readonly connection: SqsConnection) {}

  /** The DLQs, fresh from the broker. */
  async list(): Promise<DeadLetterQueue[]> {
    return (await this.refresh()).queues;
  }

  /** The latest snapshot if it is younger than `maxAgeSeconds` (default discoveryCacheSeconds), else a fresh one. */
  async current(maxAgeSeconds = this.connection.options.discoveryCacheSeconds): Promise<DiscoverySnapshot> {
    const maxAgeMs = maxAgeSeconds * 1000;
    if (this.snapshot && Date.now() - this.snapshot.at < maxAgeMs) return this.snapshot;
    return this.refresh();
  }

  private refresh(): Promise<DiscoverySnapshot> {
    this.inFlight ??= this.discover().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async discover(): Promise<DiscoverySnapshot> {
    const { connection } = this;
    const urls = await listQueueUrls(connection);
    const listed = (
      await mapLimit(urls, connection.options.discoveryConcurrency, async (url): Promise<ListedQueue | null> => {
        const name = queueNameOf(url);
        try {
          return { name, url, attributes: await connection.attributes(url, name) };
        } catch (error) {
          // Deleted between ListQueues and GetQueueAttributes: not a DLQ any more.
          if (error instanceof BrokerError && error.code === "not-found") return null;
          throw error;
        }
      })
    ).filter((queue): queue is ListedQueue => queue !== null);

    const byArn = new Map(listed.map((queue) => [queue.attributes.QueueArn ?? "", queue]));
    const sources = new Map<string, RedriveSource[]>();
    for (const queue of listed) {
      const policy = parseRedrivePolicy(queue.attributes.RedrivePolicy);
      if (!policy) continue;
      const dlqName = queueNameOf(policy.deadLetterTargetArn);
      const entry = sources.get(dlqName) ?? [];
      entry.push({
        name: queue.name,
        arn: queue.attributes.QueueArn ?? "",
        maxReceiveCount: policy.maxReceiveCount,
        retentionSeconds: toNumber(queue.attributes.MessageRetentionPeriod) || null,
      });
      sources.set(dlqName, entry);
    }

    // A DLQ outside the listing (another prefix) is still a DLQ of these sources: fetch it by name.
    for (const dlqName of sources.keys()) {
      if (listed.some((queue) => queue.name === dlqName)) continue;
      const outside = await this.fetchByName(dlqName);
      if (outside) {
        listed.push(outside);
        byArn.set(outside.attributes.QueueArn ?? "", outside);
      }
    }

    // With a prefix, a DLQ's sources may lie outside the listing: ask SQS for them where it can answer.
    const candidates = listed.filter((queue) =>
      sources.has(queue.name) || (connection.options.queueNamePrefix !== undefined && !queue.attributes.RedrivePolicy),
    );
    for (const queue of candidates) {
      const extra = await this.listSourceQueues(queue);
      if (extra.length === 0) continue;
      const entry = sources.get(queue.name) ?? [];
      for (const url of extra) {
        const name = queueNameOf(url);
        if (entry.some((source) => source.name === name)) continue;
        const known = [...byArn.values()].find((candidate) => candidate.name === name) ?? (await this.fetchByName(name));
        const policy = parseRedrivePolicy(known?.attributes.RedrivePolicy);
        entry.push({
          name,
          arn: known?.attributes.QueueArn ?? "",
          maxReceiveCount: policy?.maxReceiveCount ?? null,
          retentionSeconds: toNumber(known?.attributes.MessageRetentionPeriod) || null,
        });
      }
      sources.set(queue.name, entry);
    }

    const queues: DeadLetterQueue[] = [];
    for (const queue of listed) {
      const queueSources = sources.get(queue.name);
      if (queueSources) queues.push(describeDeadLetterQueue(queue, queueSources));
    }
    queues.sort((left, right) => left.name.localeCompare(right.name));
    this.snapshot = { at: Date.now(), queues, sources, settings: listed.map((queue) => settingsOf(queue, sources.has(queue.name))) };
    return this.snapshot;
  }

  /** One queue by name with its attributes, or null when it is gone or in another account. */
  private async fetchByName(name: string): Promise<ListedQueue | null> {
    try {
      const queue = await this.connection.queue(name);
      return { name, url: queue.url, attributes: await this.connection.attributes(queue.url, name) };
    } catch (error) {
      if (error instanceof BrokerError && (error.code === "not-found" || error.code === "access-denied")) return null;
      throw error;
    }
  }

  /** Source queue URLs per ListDeadLetterSourceQueues, or [] where the endpoint lacks the API. */
  private async listSourceQueues(queue: ListedQueue): Promise<string[]> {
    if (!this.listSourcesSupported) return [];
    const urls: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.connection.call(
          (client) => client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: queue.url, MaxResults: 1000, NextToken: nextToken })),
          queue.name,
        );
        urls.push(...(page.queueUrls ?? []));
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      if (error instanceof BrokerError && isUnsupportedAction(error)) {
        this.listSourcesSupported = false;
        return [];
      }
      throw error;
    }
    return urls;
  }
}

function isUnsupportedAction(error: BrokerError): boolean {
  const cause = error.cause as { name?: string } | undefined;
  return error.code === "invalid-request" && (cause?.name === "InvalidAction" || cause?.name === "UnsupportedOperation");
}

/** The RedrivePolicy attribute, or null when absent or malformed. */
export function parseRedrivePolicy(raw: string | undefined): { deadLetterTargetArn: string; maxReceiveCount: number | null } | null {
  if (!raw) return null;
  try {
    const policy = JSON.parse(raw) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    if (typeof policy.deadLetterTargetArn !== "string" || !policy.deadLetterTargetArn) return null;
    const maxReceiveCount = Number(policy.maxReceiveCount);
    return { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: Number.isFinite(maxReceiveCount) ? maxReceiveCount : null };
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

/** A listed queue's dead-letter settings. SQS has no consumer count and no TTL besides retention. */
function settingsOf(queue: ListedQueue, isDeadLetterQueue: boolean): QueueSettings {
  const { attributes } = queue;
  const policy = parseRedrivePolicy(attributes.RedrivePolicy);
  const target = policy ? queueNameOf(policy.deadLetterTargetArn) : null;
  return {
    id: queue.name,
    name: queue.name,
    role: isDeadLetterQueue ? "dlq" : "work",
    deadLetterTargets: target ? [{ id: target, name: target }] : [],
    deadLetterConfigured: policy !== null,
    maxDeliveryCount: policy?.maxReceiveCount ?? null,
    deliveryCapSupported: true,
    retentionSeconds: toNumber(attributes.MessageRetentionPeriod) || null,
    messageTtlSeconds: null,
    deadLettersOnExpiry: null,
    ordered: attributes.FifoQueue === "true",
    consumers: null,
  };
}

function describeDeadLetterQueue(queue: ListedQueue, sources: readonly RedriveSource[]): DeadLetterQueue {
  const { attributes } = queue;
  const visible = toNumber(attributes.ApproximateNumberOfMessages);
  const inFlight = toNumber(attributes.ApproximateNumberOfMessagesNotVisible);
  const delayed = toNumber(attributes.ApproximateNumberOfMessagesDelayed);
  const caps = [...new Set(sources.map((source) => source.maxReceiveCount).filter((cap): cap is number => cap !== null))];
  const sourceRetentions = sources.map((source) => source.retentionSeconds).filter((seconds): seconds is number => seconds !== null);
  const fifo = attributes.FifoQueue === "true";
  return {
    id: queue.name,
    name: queue.name,
    depth: visible + inFlight + delayed,
    depthDetail: { visible, inFlight, delayed },
    consumers: null,
    sources: sources.map((source): QueueRef => ({ id: source.name, name: source.name })),
    ordered: fifo,
    // Sources may differ; the largest cap is the most receives any message here may have had.
    maxDeliveryCount: caps.length > 0 ? Math.max(...caps) : null,
    oldestMessageAt: null,
    details: {
      queueType: fifo ? "FIFO" : "standard",
      arn: attributes.QueueArn ?? null,
      messageRetentionSeconds: toNumber(attributes.MessageRetentionPeriod) || null,
      // The longest source retention: a DLQ keeping messages for less loses some (hygiene check).
      sourceMessageRetentionSeconds: sourceRetentions.length > 0 ? Math.max(...sourceRetentions) : null,
      maxReceiveCounts: caps.length > 1 ? caps.join(", ") : null,
      visibilityTimeoutSeconds: toNumber(attributes.VisibilityTimeout),
      maximumMessageBytes: toNumber(attributes.MaximumMessageSize) || null,
      contentBasedDeduplication: fifo ? attributes.ContentBasedDeduplication === "true" : null,
      redriveAllowPolicy: attributes.RedriveAllowPolicy ?? null,
    },
  };
}
