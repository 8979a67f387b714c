// Get-and-requeue reads hold what they took until they end, so two at once on one DLQ would each
// see part of it. Within one adapter (one console process) they take turns: every concurrent
// browse, index scan, lookup and replay sees the whole queue.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../testing/contract";
import { createRabbitFixture, type RabbitFixture } from "./test-fixture";

const COUNT = 60;

describe("rabbitmq reads of one DLQ at the same time", () => {
  let fixture: RabbitFixture;
  beforeAll(async () => {
    fixture = await createRabbitFixture();
    await fixture.deadLetterBulk(Array.from({ length: COUNT }, (_, n) => ({ content: Buffer.from(`m${n}`), options: { messageId: `c-${n}` } })));
  });
  afterAll(async () => fixture?.cleanup());

  it("each sees every message, and the queue keeps its order", async () => {
    const queue = fixture.dlq.id;
    const collect = async () => {
      const messages = [];
      for await (const message of fixture.adapter.scan!(queue)) messages.push(message);
      return messages;
    };
    const [browseA, scanned, browseB, last, replayed] = await Promise.all([
      fixture.adapter.browse(queue, { limit: COUNT }),
      collect(),
      fixture.adapter.browse(queue, { limit: COUNT }),
      fixture.adapter.getMessage(queue, `c-${COUNT - 1}`),
      fixture.adapter.replay(queue, [{ id: "c-30", stamp: { operationId: "op-concurrent", operator: "test", replayCount: 1 } }]),
    ]);
    const ids = Array.from({ length: COUNT }, (_, n) => `c-${n}`);
    expect(browseA.messages.map((message) => message.id)).toEqual(ids);
    expect(scanned.map((message) => message.id)).toEqual(ids);
    expect(last?.id).toBe(`c-${COUNT - 1}`);
    expect(replayed.map((outcome) => outcome.status)).toEqual(["moved"]);
    // The browse queued after the replay may or may not still see c-30; it sees every other one.
    expect(browseB.messages.map((message) => message.id).filter((id) => id !== "c-30")).toEqual(ids.filter((id) => id !== "c-30"));
    // Ready counts catch up with the requeues just after the channels close.
    await eventually(() => fixture.depth(queue), (depth) => expect(depth).toBe(COUNT - 1));
    await eventually(() => fixture.depth(fixture.source.id), (depth) => expect(depth).toBe(1));
  });
});
