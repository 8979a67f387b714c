// The shared contract suite against both SQS emulators, so the adapter leans on neither's quirks.
// Messages reach the DLQ through SQS's own redrive: each is received from the source queue past its
// maxReceiveCount (1), and the emulator moves it, as AWS does. No SDK call is stubbed.
import { testBroker, type ContractFixture } from "../testing/contract";
import { SQS_CAPABILITIES } from "./index";
import {
  createRedrivePair,
  deadLetterThroughSource,
  deleteQueues,
  emulatorAdapter,
  seedAttributes,
  startEmulator,
  testClient,
  type EmulatorName,
} from "./testing/emulators";

const text = new TextDecoder();

async function createFixture(emulatorName: EmulatorName): Promise<ContractFixture> {
  const emulator = await startEmulator(emulatorName);
  const client = testClient(emulator.endpoint);
  const pair = await createRedrivePair(client, { label: "contract" });
  const adapter = emulatorAdapter(emulator, pair.prefix);
  return {
    adapter,
    dlq: { id: pair.dlq.name, name: pair.dlq.name },
    source: { id: pair.source.name, name: pair.source.name },
    deadLetter: async (messages) => {
      await deadLetterThroughSource(
        client,
        pair,
        messages.map((message) => ({ body: text.decode(message.body), attributes: seedAttributes(message), groupId: message.partitionKey })),
      );
    },
    async cleanup() {
      await adapter.close();
      await deleteQueues(client, [pair.source.url, pair.dlq.url]);
      client.destroy();
      await emulator.stop();
    },
  };
}

for (const target of ["local-aws-sqs", "fauxqs"] as const) {
  testBroker({ kind: "sqs", target, capabilities: SQS_CAPABILITIES, create: () => createFixture(target) });
}
