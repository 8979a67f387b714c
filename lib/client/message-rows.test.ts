import { describe, expect, it } from "vitest";
import type { MessageSummaryDto } from "@/lib/api/schemas/messages";
import { failureGroups, filterMessages } from "./message-rows";

const summary = (id: string, group: string, preview: string | null = null): MessageSummaryDto => ({
  id,
  messageId: `msg-${id}`,
  enqueuedAt: null,
  deadLetteredAt: null,
  reason: "rejected",
  description: null,
  attempts: { count: 1, cap: 5 },
  source: { id: "orders", name: "orders" },
  partitionKey: null,
  contentType: null,
  size: 1,
  fingerprint: { id: group, label: `failure ${group}` },
  preview,
});

const messages = [summary("1", "a", '{"sku":"X-1"}'), summary("2", "b"), summary("3", "a", '{"sku":"Y-2"}')];

describe("message rows", () => {
  it("counts each distinct failure, largest first", () => {
    expect(failureGroups(messages)).toEqual([
      { id: "a", label: "failure a", count: 2, exampleId: "1" },
      { id: "b", label: "failure b", count: 1, exampleId: "2" },
    ]);
  });

  it("filters by group and by words in ids and payload", () => {
    expect(filterMessages(messages, { text: "", group: "a" }).map((m) => m.id)).toEqual(["1", "3"]);
    expect(filterMessages(messages, { text: "y-2", group: null }).map((m) => m.id)).toEqual(["3"]);
    expect(filterMessages(messages, { text: "msg-2", group: "a" })).toEqual([]);
  });
});
