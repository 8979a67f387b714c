import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "./client";
import { migrateDatabase } from "./migrate";
import { createTestDatabase, type TestDatabase } from "./test-database";

describe("db()", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase("client");
    await migrateDatabase(database.url);
    // lib/config reads the environment once, on first use: set it before db() runs.
    process.env.DATABASE_URL = database.url;
  });
  afterAll(async () => {
    await db().$disconnect();
    await database?.drop();
  });

  it("is one client per process", () => {
    expect(db()).toBe(db());
  });

  it("writes and reads a DepthSample", async () => {
    const sampledAt = new Date("2026-01-02T03:04:05.678Z");
    const written = await db().depthSample.create({
      data: { broker: "rabbit-local", queueId: "orders.dlq", depth: 42, sampledAt },
    });
    expect(typeof written.id).toBe("bigint");

    const read = await db().depthSample.findMany({ where: { broker: "rabbit-local", queueId: "orders.dlq" } });
    expect(read).toEqual([{ id: written.id, broker: "rabbit-local", queueId: "orders.dlq", depth: 42, sampledAt }]);

    const defaulted = await db().depthSample.create({ data: { broker: "rabbit-local", queueId: "orders.dlq", depth: 7 } });
    expect(Math.abs(defaulted.sampledAt.getTime() - Date.now())).toBeLessThan(60_000);
  });
});
