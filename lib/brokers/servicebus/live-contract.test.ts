// The shared contract against a real Azure Service Bus namespace, off unless
// LIVE_SERVICEBUS_CONNECTION_STRING is set (docs/live-contract.md). The connection string's policy
// needs Manage: the run creates a uniquely named queue (auto-deleted after an idle hour, should
// the run die) and deletes it at the end; or, with LIVE_SERVICEBUS_QUEUE, uses that existing queue
// (its DLQ empty) and empties its DLQ again at the end.
import { randomUUID } from "node:crypto";
import { testBroker, type ContractFixture } from "../testing/contract";
import { skippedLiveRun } from "../testing/live";
import { adminClientFor } from "./client";
import { SERVICEBUS_CAPABILITIES } from "./index";
import { contractFixtureOn, fixtureOn } from "./test-fixture";

const connectionString = process.env.LIVE_SERVICEBUS_CONNECTION_STRING;

async function createLiveFixture(connectionString: string): Promise<ContractFixture> {
  const admin = adminClientFor(connectionString);
  const existing = process.env.LIVE_SERVICEBUS_QUEUE;
  const queue = existing ?? `dlqc-live-${randomUUID().slice(0, 8)}`;
  if (existing) {
    // A queue you made for this (an emulator's admin API cannot create one): its DLQ must start empty.
    const { deadLetterMessageCount } = await admin.getQueueRuntimeProperties(queue);
    if (deadLetterMessageCount > 0) throw new Error(`LIVE_SERVICEBUS_QUEUE ${queue} has ${deadLetterMessageCount} dead letters; the contract run needs an empty DLQ`);
  } else {
    await admin.createQueue(queue, { maxDeliveryCount: 3, autoDeleteOnIdle: "PT1H" });
  }
  const stop = async () => {
    if (!existing) await admin.deleteQueue(queue);
  };
  const fixture = fixtureOn(connectionString, { receiveWaitMs: 2_000 }, stop, { maxRetries: 3, timeoutInMs: 30_000 });
  if (!existing) return contractFixtureOn(fixture, queue);
  // Leave the queue as found (an empty DLQ): purge what the run dead-lettered into it.
  const cleanup = async () => {
    await fixture.adapter.purge(`${queue}/$DeadLetterQueue`);
    await fixture.cleanup();
  };
  return contractFixtureOn({ ...fixture, cleanup }, queue);
}

if (connectionString) {
  const namespace = /Endpoint=sb:\/\/([^/;]+)/i.exec(connectionString)?.[1] ?? "(namespace)";
  testBroker({
    kind: "servicebus",
    target: `live Service Bus namespace ${namespace}`,
    capabilities: SERVICEBUS_CAPABILITIES,
    create: () => createLiveFixture(connectionString),
  });
} else {
  skippedLiveRun("servicebus", "LIVE_SERVICEBUS_CONNECTION_STRING");
}
