// The contract every broker adapter passes, against a real broker or a protocol-level emulator.
// Each lib/brokers/<kind>/contract.test.ts calls testBroker(); contract.meta.test.ts checks that
// every registered kind does. Adapter issues extend this suite; capability-gated cases skip with
// a stated reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokerError } from "../errors";
import type { BrokerAdapter, BrokerCapabilities, BrokerKind, DeadLetter, QueueRef } from "../types";

/** A message the fixture dead-letters the way the broker itself would. */
export interface SeedMessage {
  readonly messageId: string;
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly properties?: Readonly<Record<string, string>>;
  readonly partitionKey?: string;
}

/** A fresh DLQ with one source queue on a real broker, unique to one test file run. */
export interface ContractFixture {
  readonly adapter: BrokerAdapter;
  readonly dlq: QueueRef;
  readonly source: QueueRef;
  /** Put messages into the DLQ through the broker's own dead-lettering, in this order. */
  deadLetter(messages: readonly SeedMessage[]): Promise<void>;
  /** Delete what the fixture created and close the adapter. */
  cleanup(): Promise<void>;
}

export interface BrokerTestOptions {
  readonly kind: BrokerKind;
  /** Which broker or emulator this run is against, e.g. "RabbitMQ 3.10" or "fauxqs". */
  readonly target: string;
  /** The capabilities the adapter must declare. */
  readonly capabilities: BrokerCapabilities;
  /** Build a fresh fixture; called once per describe block. */
  create(): Promise<ContractFixture>;
}

/** Every byte value, so an encoding slip anywhere shows. */
export const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, index) => index);
/** Text that breaks naive encodings: multi-byte UTF-8, an emoji, a NUL-free control char, markup. */
export const TRICKY_TEXT = 'héllo wörld — 日本語 🚀 \t <b>"quoted"</b> & done';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Poll until the assertion passes: brokers report counts eventually (SQS, management API). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => void, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    try {
      check(value);
      return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Read the whole DLQ through browse, page by page. */
export async function browseAll(adapter: BrokerAdapter, queueId: string, pageSize = 50): Promise<DeadLetter[]> {
  const messages: DeadLetter[] = [];
  let cursor: string | null = null;
  do {
    const page = await adapter.browse(queueId, { cursor, limit: pageSize });
    messages.push(...page.messages);
    cursor = page.nextCursor;
  } while (cursor);
  return messages;
}

async function depthOf(adapter: BrokerAdapter, queueId: string): Promise<number | undefined> {
  const queues = await adapter.listDeadLetterQueues();
  return queues.find((queue) => queue.id === queueId)?.depth;
}

/** The shared contract suite: run it from each broker's contract.test.ts. */
export function testBroker(options: BrokerTestOptions): void {
  const { capabilities } = options;

  describe(`${options.kind} adapter contract (${options.target})`, () => {
    let fixture: ContractFixture;
    const seeded: SeedMessage[] = [
      { messageId: "contract-1", body: utf8('{"order":1,"note":"first"}'), contentType: "application/json", properties: { tenant: "a" } },
      { messageId: "contract-2", body: capabilities.binaryBodies ? ALL_BYTES : utf8(TRICKY_TEXT), contentType: "application/octet-stream" },
      { messageId: "contract-3", body: utf8(TRICKY_TEXT), contentType: "text/plain; charset=utf-8", properties: { tenant: "b" } },
    ];

    beforeAll(async () => {
      fixture = await options.create();
      await fixture.deadLetter(seeded);
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    it("declares the capabilities it was built with", () => {
      expect(fixture.adapter.kind).toBe(options.kind);
      expect(fixture.adapter.capabilities).toEqual(capabilities);
      // A broker either peeks for real or says what its reads do.
      expect(capabilities.truePeek).toBe(capabilities.browseSideEffects.length === 0);
    });

    it("discovers the DLQ with its source queue", async () => {
      const queues = await fixture.adapter.listDeadLetterQueues();
      const dlq = queues.find((queue) => queue.id === fixture.dlq.id);
      expect(dlq, `DLQ ${fixture.dlq.id} among ${queues.map((queue) => queue.id).join(", ")}`).toBeDefined();
      expect(dlq?.sources.map((source) => source.id)).toContain(fixture.source.id);
      // The source is a work queue, not a DLQ of its own.
      expect(queues.some((queue) => queue.id === fixture.source.id)).toBe(false);
    });

    it("counts the messages in the DLQ", async () => {
      await eventually(() => depthOf(fixture.adapter, fixture.dlq.id), (depth) => expect(depth).toBe(seeded.length));
    });

    it("browses a page at a time, oldest first, to the end", async () => {
      const first = await fixture.adapter.browse(fixture.dlq.id, { limit: 2 });
      expect(first.messages.map((message) => message.messageId)).toEqual(["contract-1", "contract-2"]);
      expect(first.nextCursor).not.toBeNull();
      const second = await fixture.adapter.browse(fixture.dlq.id, { cursor: first.nextCursor, limit: 2 });
      expect(second.messages.map((message) => message.messageId)).toEqual(["contract-3"]);
      expect(second.nextCursor).toBeNull();
    });

    it("reads each message's bytes, content type and properties unchanged", async () => {
      const messages = await browseAll(fixture.adapter, fixture.dlq.id);
      for (const expected of seeded) {
        const message = messages.find((candidate) => candidate.messageId === expected.messageId);
        expect(message, expected.messageId).toBeDefined();
        expect(Buffer.from(message!.body).equals(Buffer.from(expected.body)), `${expected.messageId} body bytes`).toBe(true);
        if (expected.contentType) expect(message!.contentType).toBe(expected.contentType);
        for (const [key, value] of Object.entries(expected.properties ?? {})) {
          expect(message!.properties[key], `${expected.messageId} property ${key}`).toBe(value);
        }
        expect(message!.source?.id).toBe(fixture.source.id);
      }
    });

    it("reads one message by id, and null for an id that is not there", async () => {
      const [listed] = (await fixture.adapter.browse(fixture.dlq.id, { limit: 1 })).messages;
      expect(listed).toBeDefined();
      const message = await fixture.adapter.getMessage(fixture.dlq.id, listed!.id);
      expect(message?.messageId).toBe(listed!.messageId);
      expect(Buffer.from(message!.body).equals(Buffer.from(listed!.body))).toBe(true);
      expect(await fixture.adapter.getMessage(fixture.dlq.id, "no-such-message-id")).toBeNull();
    });

    it("leaves depth and order as they were after browsing", async () => {
      const before = (await browseAll(fixture.adapter, fixture.dlq.id)).map((message) => message.id);
      const again = (await browseAll(fixture.adapter, fixture.dlq.id, 1)).map((message) => message.id);
      expect(again).toEqual(before);
      await eventually(() => depthOf(fixture.adapter, fixture.dlq.id), (depth) => expect(depth).toBe(seeded.length));
    });

    it("names the broker and the queue when the queue does not exist", async () => {
      const missing = "contract-no-such-queue";
      const error = await fixture.adapter.browse(missing, { limit: 1 }).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(BrokerError);
      expect((error as BrokerError).code).toBe("not-found");
      expect((error as BrokerError).message).toContain(fixture.adapter.name);
      expect((error as BrokerError).message).toContain(missing);
    });
  });
}
