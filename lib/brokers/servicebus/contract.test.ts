// The shared broker contract against the Service Bus emulator (sandbox/servicebus), in-process on
// port 0, reached through the real @azure/service-bus SDK over AMQP and the ATOM admin API.
import { testBroker } from "../testing/contract";
import { SERVICEBUS_CAPABILITIES } from "./index";
import { createContractFixture } from "./test-fixture";

testBroker({
  kind: "servicebus",
  target: "Service Bus emulator (sandbox/servicebus, SDK 7.9.5)",
  capabilities: SERVICEBUS_CAPABILITIES,
  create: () => createContractFixture(),
});
