// The plain pg side of lib/db: the LISTEN connection behind subscribe(), against the real Postgres.
import { afterEach, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/operations/testing/database";
import { subscribe, type Subscription } from "./sql";

const database = setupTestDatabase("sql");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Backends of this database that are listening (their last statement was a LISTEN). */
async function listeners(): Promise<number> {
  const [row] = await database.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`);
  return row!.n as number;
}

const open: Subscription[] = [];
afterEach(() => {
  for (const subscription of open.splice(0)) subscription.close();
});

describe("subscribe (LISTEN)", () => {
  it("hears each NOTIFY on its channel from another connection, in commit order, and nothing after close", async () => {
    const heard: string[] = [];
    const other: string[] = [];
    const first = await subscribe("test_channel", (payload) => heard.push(payload));
    const second = await subscribe("test_other", (payload) => other.push(payload));
    open.push(first, second);
    await database.sql(`SELECT pg_notify('test_channel', 'a'), pg_notify('test_other', 'x')`);
    // A notification inside a transaction is delivered when it commits, not before; a rolled-back one never.
    await database.sql(`BEGIN; SELECT pg_notify('test_channel', 'rolled back'); ROLLBACK`);
    await database.sql(`SELECT pg_notify('test_channel', 'b')`);
    await until(() => heard.length === 2 && other.length === 1, "the notifications");
    expect(heard).toEqual(["a", "b"]);
    expect(other).toEqual(["x"]);
    expect(first.live).toBe(true);

    first.close();
    await database.sql(`SELECT pg_notify('test_channel', 'after close')`);
    await database.sql(`SELECT pg_notify('test_other', 'y')`);
    await until(() => other.length === 2, "the other channel's second notification");
    expect(heard).toEqual(["a", "b"]);
  });

  it("shares one connection, and closes it with the last subscription", async () => {
    const a = await subscribe("test_shared", () => undefined);
    const b = await subscribe("test_shared", () => undefined);
    expect(await listeners()).toBe(1);
    a.close();
    await sleep(100);
    expect(await listeners()).toBe(1);
    b.close();
    await until(async () => (await listeners()) === 0, "the connection to close");
  });

  it("tells its subscribers when the connection is lost, and the next subscription opens a new one", async () => {
    let lost = 0;
    const subscription = await subscribe("test_lost", () => undefined, () => lost++);
    open.push(subscription);
    await database.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`);
    await until(() => lost === 1, "onLost");
    expect(subscription.live).toBe(false);

    const heard: string[] = [];
    const again = await subscribe("test_lost", (payload) => heard.push(payload));
    open.push(again);
    await database.sql(`SELECT pg_notify('test_lost', 'back')`);
    await until(() => heard.length === 1, "a notification on the new connection");
    expect(heard).toEqual(["back"]);
    expect(again.live).toBe(true);
    expect(lost).toBe(1);
  });
});
