// Discovery across ListQueues pages, several sources per DLQ, and a broker that is down.
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkQueues } from "@/lib/hygiene/checks";
import { BrokerError } from "../errors";
import { createSqsAdapter } from "./index";
import { createRedrivePair, deadLetterThroughSource, startEmulator, testClient, testCredentials, type RunningEmulator } from "./testing/emulators";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";

describe.each(["local-aws-sqs", "fauxqs"] as const)("SQS discovery (%s)", (emulatorName) => {
  let emulator: RunningEmulator;
  let client: SQSClient;
  beforeAll(async () => {
    emulator = await startEmulator(emulatorName);
    client = testClient(emulator.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await emulator?.stop();
  });

  // fauxqs 1.9 returns no NextToken: it cuts ListQueues off at MaxResults, so paging cannot be shown there.
  it.skipIf(emulatorName === "fauxqs")("follows NextToken through ListQueues pages", async () => {
    const prefix = `paged-${Date.now().toString(36)}`;
    const first = await createRedrivePair(client, { label: "paged", prefix: `${prefix}-a` });
    const second = await createRedrivePair(client, { label: "paged", prefix: `${prefix}-b`, fifo: true });
    await client.send(new CreateQueueCommand({ QueueName: `${prefix}-c-plain` }));
    const adapter = createSqsAdapter({
      name: "paged",
      connection: { endpoint: emulator.endpoint, credentials: testCredentials(), queueNamePrefix: prefix, listQueuesPageSize: 2 },
    });
    const queues = await adapter.listDeadLetterQueues();
    expect(queues.map((queue) => [queue.id, queue.sources.map((source) => source.id), queue.ordered])).toEqual([
      [first.dlq.name, [first.source.name], false],
      [second.dlq.name, [second.source.name], true],
    ]);
    await adapter.close();
  });

  it("reports queue settings that the hygiene checks turn into findings", async () => {
    const prefix = `hyg-${Date.now().toString(36)}`;
    const good = await createRedrivePair(client, { label: "hyg", prefix: `${prefix}-good`, maxReceiveCount: 5 });
    const eager = await createRedrivePair(client, { label: "hyg", prefix: `${prefix}-eager`, maxReceiveCount: 1 });
    await client.send(new CreateQueueCommand({ QueueName: `${prefix}-plain` }));
    const adapter = createSqsAdapter({ name: "hyg", connection: { endpoint: emulator.endpoint, credentials: testCredentials(), queueNamePrefix: prefix } });
    const settings = await adapter.listQueueSettings!();
    expect(settings.find((queue) => queue.id === good.source.name)).toMatchObject({
      role: "work",
      deadLetterTargets: [{ id: good.dlq.name }],
      maxDeliveryCount: 5,
      retentionSeconds: 345_600,
      ordered: false,
    });
    expect(settings.find((queue) => queue.id === good.dlq.name)).toMatchObject({ role: "dlq", retentionSeconds: 1_209_600 });
    expect(checkQueues("sqs", settings).map((finding) => `${finding.queue.id}:${finding.code}`).sort()).toEqual([
      `${eager.source.name}:delivery-cap-one`,
      `${prefix}-plain:no-dead-letter-path`,
    ]);
    await adapter.close();
  });

  it("finds a DLQ outside the name prefix through its source's RedrivePolicy", async () => {
    const pair = await createRedrivePair(client, { label: "outside" });
    const adapter = createSqsAdapter({ name: "outside", connection: { endpoint: emulator.endpoint, credentials: testCredentials(), queueNamePrefix: pair.source.name } });
    const queues = await adapter.listDeadLetterQueues();
    expect(queues.map((queue) => [queue.id, queue.sources.map((source) => source.id)])).toEqual([[pair.dlq.name, [pair.source.name]]]);
    await adapter.close();
  });

  // fauxqs 1.9 has no ListDeadLetterSourceQueues, the only way to find sources outside the listing.
  it.skipIf(emulatorName === "fauxqs")("finds sources outside the name prefix with ListDeadLetterSourceQueues", async () => {
    const pair = await createRedrivePair(client, { label: "sourceless" });
    const adapter = createSqsAdapter({ name: "sourceless", connection: { endpoint: emulator.endpoint, credentials: testCredentials(), queueNamePrefix: pair.dlq.name } });
    const queues = await adapter.listDeadLetterQueues();
    expect(queues.map((queue) => [queue.id, queue.sources.map((source) => source.id)])).toEqual([[pair.dlq.name, [pair.source.name]]]);
    expect(queues[0]!.maxDeliveryCount).toBe(1);
    await adapter.close();
  });

  it("lists every source of a shared DLQ with depth detail, caps and retention", async () => {
    const pair = await createRedrivePair(client, { label: "shared", maxReceiveCount: 2 });
    const other = await client.send(
      new CreateQueueCommand({
        QueueName: `${pair.prefix}-other`,
        Attributes: { MessageRetentionPeriod: "864000", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: pair.dlq.arn, maxReceiveCount: 4 }) },
      }),
    );
    expect(other.QueueUrl).toBeTruthy();
    await deadLetterThroughSource(client, pair, [{ body: "one" }, { body: "two" }]);
    const adapter = createSqsAdapter({ name: "shared", connection: { endpoint: emulator.endpoint, credentials: testCredentials(), queueNamePrefix: pair.prefix } });
    const [dlq, ...rest] = await adapter.listDeadLetterQueues();
    expect(rest).toEqual([]);
    expect(dlq!.id).toBe(pair.dlq.name);
    expect(dlq!.sources.map((source) => source.id).sort()).toEqual([`${pair.prefix}-other`, pair.source.name].sort());
    expect(dlq!.depth).toBe(2);
    expect(dlq!.depthDetail).toEqual({ visible: 2, inFlight: 0, delayed: 0 });
    expect(dlq!.maxDeliveryCount).toBe(4);
    expect(dlq!.details).toMatchObject({ queueType: "standard", messageRetentionSeconds: 1_209_600, sourceMessageRetentionSeconds: 864_000, maxReceiveCounts: "2, 4" });
    await adapter.close();
  });
});

describe("SQS adapter against a broker that is down", () => {
  it("retries with backoff, then reports the broker unavailable", async () => {
    // A port that was free a moment ago: connections are refused.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const adapter = createSqsAdapter({
      name: "down",
      connection: { endpoint: `http://127.0.0.1:${port}`, credentials: testCredentials(), maxRetries: 3, retryBaseMs: 20, retryCapMs: 100 },
    });
    const started = Date.now();
    const error = await adapter.listDeadLetterQueues().then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(BrokerError);
    expect((error as BrokerError).code).toBe("unavailable");
    expect((error as BrokerError).message).toContain("down");
    // Three backoffs of at least 20, 40 and 80 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await adapter.close();
  });
});

describe("SQS adapter against a throttling, failing broker", () => {
  it("retries a 503 and a throttled call with backoff, then succeeds", async () => {
    const emulator = await startEmulator("fauxqs");
    const pair = await createRedrivePair(testClient(emulator.endpoint), { label: "flaky" });
    const target = new URL(emulator.endpoint);
    // A real HTTP hop in front of the emulator: the first answers are SQS errors, then it forwards.
    const failures = [
      { status: 503, type: "com.amazonaws.sqs#ServiceUnavailable", message: "Service is unavailable" },
      { status: 400, type: "com.amazonaws.sqs#RequestThrottled", message: "Rate exceeded" },
    ];
    let requests = 0;
    const proxy = createHttpServer((incoming, outgoing) => {
      const failure = failures[requests++];
      if (failure) {
        outgoing.writeHead(failure.status, { "content-type": "application/x-amz-json-1.0", "x-amzn-query-error": `${failure.type.split("#")[1]};Receiver` });
        outgoing.end(JSON.stringify({ __type: failure.type, message: failure.message }));
        return;
      }
      const forward = httpRequest({ host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      incoming.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const adapter = createSqsAdapter({
      name: "flaky",
      connection: {
        endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        credentials: testCredentials(),
        queueNamePrefix: pair.prefix,
        retryBaseMs: 50,
      },
    });
    const started = Date.now();
    const queues = await adapter.listDeadLetterQueues();
    expect(queues.map((queue) => queue.id)).toEqual([pair.dlq.name]);
    // Backoffs of at least 50 and 100 ms before the third try of the first call.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(requests).toBeGreaterThan(failures.length);
    await adapter.close();
    await new Promise((resolve) => proxy.close(resolve));
    await emulator.stop();
  });
});
