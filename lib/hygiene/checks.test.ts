import { describe, expect, it } from "vitest";
import type { QueueSettings } from "@/lib/brokers/types";
import { checkQueues, type FindingCode } from "./checks";

const queue = (id: string, settings: Partial<QueueSettings> = {}): QueueSettings => ({
  id,
  name: id,
  role: "work",
  deadLetterTargets: [{ id: "dlq", name: "dlq" }],
  deadLetterConfigured: true,
  maxDeliveryCount: 5,
  deliveryCapSupported: true,
  retentionSeconds: 4 * 86_400,
  messageTtlSeconds: null,
  deadLettersOnExpiry: null,
  ordered: false,
  consumers: 1,
  ...settings,
});
const dlq = (settings: Partial<QueueSettings> = {}) => queue("dlq", { role: "dlq", deadLetterTargets: [], deadLetterConfigured: false, consumers: 0, retentionSeconds: 14 * 86_400, ...settings });
const codes = (queues: QueueSettings[], kind: "sqs" | "rabbitmq" | "servicebus" = "sqs") => checkQueues(kind, queues).map((finding) => `${finding.queue.id}:${finding.code}`);

describe("hygiene checks", () => {
  it("finds nothing on a well-configured pair", () => {
    expect(codes([queue("orders"), dlq()])).toEqual([]);
  });

  it("finds one finding per mistake, on the queue it is about", () => {
    const found = codes([
      queue("no-dlq", { deadLetterTargets: [], deadLetterConfigured: false }),
      queue("nowhere", { deadLetterTargets: [] }),
      queue("drops-expired", { messageTtlSeconds: 3600, deadLettersOnExpiry: false }),
      queue("uncapped", { maxDeliveryCount: null }),
      queue("cap-one", { maxDeliveryCount: 1 }),
      queue("cap-high", { maxDeliveryCount: 50 }),
      queue("fifo", { ordered: true }),
      queue("long-lived", { retentionSeconds: 20 * 86_400 }),
      dlq({ consumers: 2 }),
    ]);
    const expected: string[] = [
      "no-dlq:no-dead-letter-path",
      "nowhere:dead-letter-routes-nowhere",
      "drops-expired:expired-messages-dropped",
      "uncapped:delivery-cap-missing",
      "cap-one:delivery-cap-one",
      "cap-high:delivery-cap-high",
      "fifo:ordered-source-unordered-dlq",
      "dlq:dlq-retention-shorter",
      "dlq:dlq-has-consumers",
    ] satisfies `${string}:${FindingCode}`[];
    expect(found.sort()).toEqual(expected.sort());
  });

  it("stays quiet where the broker has no such setting", () => {
    // RabbitMQ classic queues cannot cap deliveries; a TTL with no expiry switch is not "dropped".
    expect(codes([queue("classic", { maxDeliveryCount: null, deliveryCapSupported: false, messageTtlSeconds: 60, deadLettersOnExpiry: null }), dlq()], "rabbitmq")).toEqual([]);
    // Caps of 2 and 20 are fine; a retention equal to the source's is not shorter.
    expect(codes([queue("a", { maxDeliveryCount: 2 }), queue("b", { maxDeliveryCount: 20, retentionSeconds: 14 * 86_400 }), dlq()])).toEqual([]);
  });

  it("explains each finding with a fix for the broker", () => {
    const [finding] = checkQueues("servicebus", [queue("orders", { messageTtlSeconds: 86_400, deadLettersOnExpiry: false }), dlq()]);
    expect(finding).toMatchObject({ code: "expired-messages-dropped", severity: "high", problem: "Messages expire after 1 d and are then dropped, not dead-lettered." });
    expect(finding!.fix).toContain("deadLetteringOnMessageExpiration");
  });

  it("flags a DLQ no alert rule watches, when told which are watched", () => {
    const queues = [queue("orders"), dlq({ retentionSeconds: null }), queue("other.dlq", { role: "dlq", deadLetterTargets: [], consumers: 0, retentionSeconds: null })];
    expect(checkQueues("rabbitmq", queues, (id) => id === "dlq").map((finding) => `${finding.queue.id}:${finding.code}`)).toEqual(["other.dlq:dlq-no-alert-rule"]);
    expect(checkQueues("rabbitmq", queues).map((finding) => finding.code)).toEqual([]);
  });
});
