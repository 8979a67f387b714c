// Decoding SQS messages into the common model: attribute types, system attributes, reasons.
import type { Message } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { decodeAttribute, decodeMessage, encodeAttribute, ORIGINAL_ID_ATTRIBUTE, REPLAY_ATTRIBUTE, type DecodeContext } from "./decode";
import { DEFAULT_SQS_CONTENT_TYPE_ATTRIBUTES, DEFAULT_SQS_REASON_ATTRIBUTES } from "./options";

const context: DecodeContext = {
  queueName: "orders-dlq",
  sources: [
    { name: "orders", arn: "arn:aws:sqs:us-east-1:123456789012:orders", maxReceiveCount: 3, retentionSeconds: 345600 },
    { name: "orders-priority", arn: "arn:aws:sqs:us-east-1:123456789012:orders-priority", maxReceiveCount: 5, retentionSeconds: 345600 },
  ],
  reasonAttributes: [...DEFAULT_SQS_REASON_ATTRIBUTES],
  contentTypeAttributes: [...DEFAULT_SQS_CONTENT_TYPE_ATTRIBUTES],
};

const received: Message = {
  MessageId: "4f1c-dlq-id",
  Body: "eyJoZWxsbyI6IndvcmxkIn0=",
  Attributes: {
    SentTimestamp: "1764300000000",
    ApproximateReceiveCount: "4",
    ApproximateFirstReceiveTimestamp: "1764300001000",
    DeadLetterQueueSourceArn: "arn:aws:sqs:us-east-1:123456789012:orders-priority",
    MessageGroupId: "cus-42",
    MessageDeduplicationId: "dedupe-1",
    SequenceNumber: "18889999999999999999",
  },
  MessageAttributes: {
    "content-type": { DataType: "String", StringValue: "application/base64" },
    ErrorMessage: { DataType: "String", StringValue: "second choice" },
    "x-failure-reason": { DataType: "String", StringValue: "TimeoutError: inventory" },
    count: { DataType: "Number", StringValue: "3.5" },
    big: { DataType: "Number", StringValue: "12345678901234567890" },
    blob: { DataType: "Binary", BinaryValue: Uint8Array.of(0, 1, 255) },
    custom: { DataType: "String.uuid", StringValue: "b7e1" },
    [ORIGINAL_ID_ATTRIBUTE]: { DataType: "String", StringValue: "first-life-id" },
    [REPLAY_ATTRIBUTE]: { DataType: "String", StringValue: JSON.stringify({ operationId: "op-1", operator: "ana", replayCount: 1, replayedAt: "2026-11-01T10:00:00.000Z", from: "orders-dlq" }) },
  },
};

describe("SQS message decoding", () => {
  const message = decodeMessage(received, context);

  it("keeps the body as the text's bytes, base64 included", () => {
    expect(new TextDecoder().decode(message.body)).toBe("eyJoZWxsbyI6IndvcmxkIn0=");
    expect(message.contentType).toBe("application/base64");
  });

  it("types every attribute kind", () => {
    expect(message.properties.count).toBe(3.5);
    expect(message.properties.big).toBe(12345678901234567890n);
    expect(message.properties.blob).toEqual(Uint8Array.of(0, 1, 255));
    expect(message.properties.custom).toBe("b7e1");
    expect(message.systemProperties.MessageAttributeDataTypes).toEqual({ custom: "String.uuid" });
  });

  it("reads system attributes, source, partition key and ids", () => {
    expect(message.id).toBe("4f1c-dlq-id");
    expect(message.messageId).toBe("first-life-id");
    expect(message.systemProperties.SentTimestamp).toEqual(new Date(1764300000000));
    expect(message.systemProperties.ApproximateReceiveCount).toBe(4);
    expect(message.systemProperties.SequenceNumber).toBe("18889999999999999999");
    expect(message.source?.id).toBe("orders-priority");
    expect(message.partitionKey).toBe("cus-42");
    expect(message.enqueuedAt).toEqual(new Date(1764300000000));
  });

  it("takes the reason from the first configured attribute and the attempts from the source's cap", () => {
    expect(message.failure.reason).toBe("TimeoutError: inventory");
    expect(message.failure.description).toContain("received 4 time(s) against maxReceiveCount 5");
    expect(message.attempts).toEqual({ count: 4, cap: 5 });
    expect(decodeMessage(received, { ...context, reasonAttributes: ["ErrorMessage"] }).failure.reason).toBe("second choice");
    expect(message.history.map((event) => event.kind)).toEqual(["enqueued", "delivered", "dead-lettered", "replayed"]);
  });

  it("names no source when SQS does not and the DLQ has several", () => {
    const { DeadLetterQueueSourceArn: _omitted, ...attributes } = received.Attributes!;
    expect(decodeMessage({ ...received, Attributes: attributes }, context).source).toBeNull();
    expect(decodeMessage({ ...received, Attributes: attributes }, { ...context, sources: context.sources.slice(0, 1) }).source?.id).toBe("orders");
  });

  it("round-trips edited properties, keeping custom types", () => {
    for (const value of Object.values(received.MessageAttributes!)) {
      expect(encodeAttribute(decodeAttribute(value), value.DataType)).toEqual(value);
    }
  });
});
