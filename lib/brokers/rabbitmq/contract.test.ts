// The shared broker contract against the real RabbitMQ on 127.0.0.1:5672 (management API on 15672).
import { testBroker } from "../testing/contract";
import { RABBITMQ_CAPABILITIES } from "./index";
import { createRabbitFixture } from "./test-fixture";

testBroker({
  kind: "rabbitmq",
  target: "RabbitMQ (local, classic DLQ)",
  capabilities: RABBITMQ_CAPABILITIES,
  create: () => createRabbitFixture(),
});
