// The shared contract against a real RabbitMQ of yours, off unless LIVE_RABBITMQ_URL is set
// (docs/live-contract.md). It creates a uniquely named work queue, DLX and DLQ, and deletes them.
import { hostOf, skippedLiveRun } from "../testing/live";
import { testBroker } from "../testing/contract";
import { RABBITMQ_CAPABILITIES } from "./index";
import { createRabbitFixture } from "./test-fixture";

const url = process.env.LIVE_RABBITMQ_URL;
const managementUrl = process.env.LIVE_RABBITMQ_MANAGEMENT_URL;

if (url) {
  testBroker({
    kind: "rabbitmq",
    target: `live RabbitMQ at ${hostOf(url)}`,
    capabilities: RABBITMQ_CAPABILITIES,
    create: () => createRabbitFixture({ connection: { url, ...(managementUrl ? { managementUrl } : {}) } }),
  });
} else {
  skippedLiveRun("rabbitmq", "LIVE_RABBITMQ_URL");
}
