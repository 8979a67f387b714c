// The message index against a real RabbitMQ DLQ and a real Postgres: a refresh reads every message
// (and leaves the queue as it was), groups and searches run over the whole DLQ, messages that left
// the DLQ leave the index, and a broker that fails mid-refresh is reported, not hidden.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brokerError } from "@/lib/brokers/errors";
import { createRabbitFixture, type RabbitFixture } from "@/lib/brokers/rabbitmq/test-fixture";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { db } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { createTestDatabase, type TestDatabase } from "@/lib/db/test-database";
import { matchingIds, NO_FILTER, queryIndex, topFailures } from "./index-query";
import { indexState, refreshIndex } from "./message-index";

const FAILURES = [
  (n: number) => `Order ${n} not found in catalog`,
  (n: number) => `Timeout calling inventory-service after ${1000 + n * 250}ms`,
  (n: number) => `Invalid currency "X${n}" for order ${n}`,
];

describe("message index", () => {
  let database: TestDatabase;
  let fixture: RabbitFixture;

  beforeAll(async () => {
    database = await createTestDatabase("index");
    await migrateDatabase(database.url);
    process.env.DATABASE_URL = database.url;
    fixture = await createRabbitFixture({});
    // 600 dead letters (more than one write batch), three distinct failures, one binary body.
    await fixture.deadLetterBulk(
      Array.from({ length: 600 }, (_, n) => ({
        content: n === 7 ? Buffer.from([0, 255, 1, 254]) : Buffer.from(JSON.stringify({ orderId: n, customer: `cust-${n % 10}` })),
        options: { messageId: `msg-${n}`, contentType: "application/json", headers: { "x-exception-message": FAILURES[n % 3]!(n), tenant: n % 2 ? "acme" : "globex" } },
      })),
    );
  }, 60_000);
  afterAll(async () => {
    await fixture?.cleanup();
    await db().$disconnect();
    await database?.drop();
  });

  it("indexes every message in queue order and leaves the DLQ as it was", async () => {
    expect(await refreshIndex(fixture.adapter, fixture.dlq.id)).toBe(true);
    const state = await indexState(fixture.adapter.name, fixture.dlq.id);
    expect(state).toMatchObject({ status: "idle", indexed: 600, error: null });
    expect(await fixture.depth(fixture.dlq.id)).toBe(600);

    const first = await queryIndex(fixture.adapter.name, fixture.dlq.id, NO_FILTER, { cursor: null, limit: 250 });
    expect(first.total).toBe(600);
    expect(first.messages.map((message) => message.messageId).slice(0, 3)).toEqual(["msg-0", "msg-1", "msg-2"]);
    const second = await queryIndex(fixture.adapter.name, fixture.dlq.id, NO_FILTER, { cursor: first.nextCursor, limit: 400 });
    expect(second.messages).toHaveLength(350);
    expect(second.messages.at(-1)!.messageId).toBe("msg-599");
    expect(second.nextCursor).toBeNull();
    expect(first.messages.find((message) => message.messageId === "msg-7")!.preview).toBeNull();
  }, 60_000);

  it("groups the whole DLQ by failure fingerprint", async () => {
    const page = await queryIndex(fixture.adapter.name, fixture.dlq.id, NO_FILTER, { cursor: null, limit: 10 });
    expect(page.groups.map((group) => group.count)).toEqual([200, 200, 200]);
    const timeout = page.groups.find((group) => group.label.includes("Timeout"))!;
    expect(timeout.label).toBe("rejected: Timeout calling inventory-service after <n>ms");
    const inGroup = await queryIndex(fixture.adapter.name, fixture.dlq.id, { ...NO_FILTER, group: timeout.id }, { cursor: null, limit: 1000 });
    expect(inGroup.total).toBe(200);
    // The groups still count the whole filter, so the sidebar does not collapse to one group.
    expect(inGroup.groups).toHaveLength(3);
  });

  it("names each indexed queue's largest failure for the overview", async () => {
    const top = await topFailures([
      { broker: fixture.adapter.name, queueId: fixture.dlq.id },
      { broker: fixture.adapter.name, queueId: "never-indexed" },
    ]);
    const entry = top.get(`${fixture.adapter.name}\u0000${fixture.dlq.id}`);
    // Three groups of 200 tie: the label breaks the tie, so the answer is stable.
    expect(entry).toEqual({ label: "rejected: Invalid currency <str> for order <n>", count: 200, indexed: 600 });
    expect(top.size).toBe(1);
  });

  it("searches payloads and headers for every word, case-insensitively, with LIKE wildcards taken literally", async () => {
    const search = (text: string) => queryIndex(fixture.adapter.name, fixture.dlq.id, { ...NO_FILTER, text }, { cursor: null, limit: 1000 });
    expect((await search("CUST-3")).total).toBe(60);
    expect((await search("cust-3 acme")).total).toBe(60); // n % 10 === 3 is odd: all acme
    expect((await search("cust-4 acme")).total).toBe(0);
    expect((await search("msg-59")).messages.map((message) => message.messageId)).toEqual(["msg-59", ...Array.from({ length: 10 }, (_, i) => `msg-${590 + i}`)]);
    expect((await search("%")).total).toBe(0);
    expect((await search("_")).total).toBe(0);
    // Without payload search (viewers), words match ids, reasons and descriptions only.
    const metadataOnly = (text: string) => queryIndex(fixture.adapter.name, fixture.dlq.id, { ...NO_FILTER, text, searchPayloads: false }, { cursor: null, limit: 1000 });
    expect((await metadataOnly("cust-3")).total).toBe(0);
    expect((await metadataOnly("acme")).total).toBe(0);
    expect((await metadataOnly("pricing")).total).toBe(0);
    expect((await metadataOnly("inventory-service")).total).toBe(200);
    expect((await metadataOnly("MSG-59")).total).toBe(11);
    const ids = await matchingIds(fixture.adapter.name, fixture.dlq.id, { ...NO_FILTER, text: "cust-3" }, 5);
    expect(ids).toHaveLength(5);
  });

  it("drops messages that left the DLQ at the next refresh", async () => {
    const page = await queryIndex(fixture.adapter.name, fixture.dlq.id, NO_FILTER, { cursor: null, limit: 3 });
    const gone = page.messages.map((message) => message.id);
    expect((await fixture.adapter.remove(fixture.dlq.id, gone)).map((outcome) => outcome.status)).toEqual(["removed", "removed", "removed"]);
    await refreshIndex(fixture.adapter, fixture.dlq.id);
    const after = await queryIndex(fixture.adapter.name, fixture.dlq.id, NO_FILTER, { cursor: null, limit: 1000 });
    expect(after.total).toBe(597);
    expect(after.messages.some((message) => gone.includes(message.id))).toBe(false);
  }, 60_000);

  it("records a broker failure mid-refresh and keeps the rows it could not check", async () => {
    const failing: BrokerAdapter = {
      ...fixture.adapter,
      name: fixture.adapter.name,
      scan: async function* (queueId: string) {
        let count = 0;
        for await (const message of fixture.adapter.scan!(queueId)) {
          if (count++ === 100) throw brokerError("unavailable", fixture.adapter.name, "connection lost", { queue: queueId });
          yield message;
        }
      },
    };
    await refreshIndex(failing, fixture.dlq.id);
    const state = await indexState(fixture.adapter.name, fixture.dlq.id);
    expect(state.status).toBe("failed");
    expect(state.error).toContain("connection lost");
    expect(state.indexed).toBe(100);
    expect((await queryIndex(fixture.adapter.name, fixture.dlq.id, NO_FILTER, { cursor: null, limit: 1 })).total).toBe(597);
  }, 60_000);

  it("refuses a second refresh while one is running", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: BrokerAdapter = {
      ...fixture.adapter,
      name: fixture.adapter.name,
      scan: async function* () {
        await gate;
      },
    };
    const first = refreshIndex(slow, fixture.dlq.id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await refreshIndex(fixture.adapter, fixture.dlq.id)).toBe(false);
    release();
    expect(await first).toBe(true);
  });
});
