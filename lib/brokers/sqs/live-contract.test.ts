// The shared contract against real SQS, off unless LIVE_SQS_REGION is set (docs/live-contract.md).
// Credentials come from the standard AWS chain (env, profile, SSO, role). It creates a uniquely
// named DLQ and source queue with a redrive policy, dead-letters through real receives, and deletes both.
import { SQSClient } from "@aws-sdk/client-sqs";
import { testBroker, type ContractFixture } from "../testing/contract";
import { hostOf, skippedLiveRun } from "../testing/live";
import { createSqsAdapter, SQS_CAPABILITIES } from "./index";
import { createRedrivePair, deadLetterThroughSource, deleteQueues, seedAttributes } from "./testing/emulators";

const region = process.env.LIVE_SQS_REGION;
const endpoint = process.env.LIVE_SQS_ENDPOINT;
const text = new TextDecoder();

async function createLiveFixture(region: string): Promise<ContractFixture> {
  const client = new SQSClient({ region, ...(endpoint ? { endpoint } : {}) });
  const pair = await createRedrivePair(client, { label: "dlqc-live" });
  const adapter = createSqsAdapter({ name: "live-sqs", connection: { region, queueNamePrefix: pair.prefix, ...(endpoint ? { endpoint } : {}) } });
  return {
    adapter,
    dlq: { id: pair.dlq.name, name: pair.dlq.name },
    source: { id: pair.source.name, name: pair.source.name },
    async deadLetter(messages) {
      const seeds = messages.map((message) => ({ body: text.decode(message.body), attributes: seedAttributes(message), groupId: message.partitionKey }));
      // Long polls: real SQS samples its servers, and a short poll can miss the message.
      await deadLetterThroughSource(client, pair, seeds, 2);
    },
    async cleanup() {
      await adapter.close();
      await deleteQueues(client, [pair.source.url, pair.dlq.url]);
      client.destroy();
    },
  };
}

if (region) {
  testBroker({
    kind: "sqs",
    target: `live SQS in ${region}${endpoint ? ` via ${hostOf(endpoint)}` : ""}`,
    capabilities: SQS_CAPABILITIES,
    create: () => createLiveFixture(region),
  });
} else {
  skippedLiveRun("sqs", "LIVE_SQS_REGION");
}
