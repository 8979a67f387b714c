import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { setupTestDatabase } from "@/lib/operations/testing/database";
import { inTransaction } from "@/lib/db/sql";
import { appendAudit, appendAudits } from "./log";
import { auditRows, listAudit, verifyAuditLog } from "./query";

const database = setupTestDatabase("audit");

const append = (action: string, extra: Partial<Parameters<typeof appendAudit>[1]> = {}) =>
  db().$transaction((tx) => appendAudit(tx, { actor: "ana", action, broker: "rabbit", queueId: "orders.dlq", messageIds: ["m1"], request: { n: 1 }, ...extra }));

describe("audit log", () => {
  it("chains concurrent appends without forking and verifies them", async () => {
    await Promise.all(Array.from({ length: 25 }, (_, index) => append("replay.intent", { messageIds: [`c${index}`], request: { index } })));
    const verdict = await verifyAuditLog(7); // pages smaller than the log, so paging is checked too
    expect(verdict).toMatchObject({ ok: true, rows: 25 });
  });

  it("appends several rows in one statement, in order, interleaved with single appends, and they verify", async () => {
    const ids = Array.from({ length: 500 }, (_, index) => `bulk-${index}`);
    // Ids with the characters an array literal would have to escape, and a repeat (stored once).
    const awkward = ['quote"d', "back\\slash", "com,ma", "{brace}", "é\u2028", "bulk-0", "bulk-0"];
    await Promise.all([
      inTransaction((client) =>
        appendAudits(client, [
          { actor: "bulk", action: "bulk-replay.batch", operationId: "job-1", messageIds: [...ids, ...awkward], outcome: { done: 500 } },
          { actor: "bulk", action: "bulk-replay.batch-intent", operationId: "job-1", messageIds: ids.slice(0, 3), request: { batch: 2 } },
        ]),
      ),
      append("replay.intent", { messageIds: ["single"] }),
      inTransaction((client) => appendAudits(client, [])),
    ]);
    const rows = await db().auditEntry.findMany({ where: { operationId: "job-1" }, orderBy: { id: "asc" } });
    expect(rows.map((row) => row.action)).toEqual(["bulk-replay.batch", "bulk-replay.batch-intent"]);
    expect(rows[1]!.previousHash).toBe(rows[0]!.hash);
    expect(rows[0]!.messageIds).toEqual([...ids, ...awkward.slice(0, 5)]);
    expect((await listAudit({ messageId: 'quote"d' }, { limit: 10 })).entries.map((entry) => entry.action)).toEqual(["bulk-replay.batch"]);
    expect(await verifyAuditLog(1)).toMatchObject({ ok: true });
  });

  it("appends on the plain pg pool into the same chain as Prisma's appends, and both verify", async () => {
    const ids = Array.from({ length: 500 }, (_, index) => `sql-${index}`);
    const awkward = ['quote"d', "back\\slash", "com,ma", "{brace}", "é\u2028", "sql-0"];
    const before = await db().auditEntry.count();
    await Promise.all([
      ...Array.from({ length: 5 }, (_, n) =>
        inTransaction((client) =>
          appendAudits(client, [
            { actor: "bulk", action: "bulk-replay.batch", operationId: `sql-job-${n}`, broker: "rabbit", queueId: "orders.dlq", messageIds: [...ids, ...awkward], request: { batch: n }, outcome: { done: 500, at: new Date(0) } },
            { actor: "bulk", via: "token t1 (ci)", action: "bulk-replay.batch-intent", operationId: `sql-job-${n}`, messageIds: ids.slice(0, 2), request: { batch: n + 1 }, clientIp: "10.0.0.1" },
          ]),
        ),
      ),
      ...Array.from({ length: 5 }, (_, n) => append("replay.intent", { messageIds: [`prisma-${n}`] })),
      db().$transaction((tx) => appendAudit(tx, { actor: "bulk", action: "bulk-replay.batch", operationId: "prisma-job", messageIds: ids.slice(0, 3) })),
      inTransaction((client) => appendAudits(client, [])),
    ]);
    expect(await db().auditEntry.count()).toBe(before + 16);
    const rows = await db().auditEntry.findMany({ where: { operationId: "sql-job-3" }, orderBy: { id: "asc" } });
    expect(rows.map((row) => row.action)).toEqual(["bulk-replay.batch", "bulk-replay.batch-intent"]);
    expect(rows[1]!.previousHash).toBe(rows[0]!.hash);
    expect(rows[1]!.id).toBe(rows[0]!.id + 1n);
    expect(rows[0]!.messageIds).toEqual([...ids, ...awkward.slice(0, 5)]);
    expect(rows[1]).toMatchObject({ via: "token t1 (ci)", clientIp: "10.0.0.1", broker: null });
    expect(JSON.parse(rows[0]!.outcome)).toEqual({ at: "1970-01-01T00:00:00.000Z", done: 500 });
    expect(await verifyAuditLog(3)).toMatchObject({ ok: true, rows: before + 16 });
  });

  it("rolls the pg pool's rows back with the transaction that failed, and the pool goes on", async () => {
    const before = await db().auditEntry.count();
    await expect(
      inTransaction(async (client) => {
        await appendAudits(client, [{ actor: "ana", action: "bulk-replay.batch-intent", messageIds: ["lost"] }]);
        throw new Error("the batch's state failed to write");
      }),
    ).rejects.toThrow("state failed");
    await expect(inTransaction((client) => client.query("SELECT * FROM no_such_table"))).rejects.toThrow(/no_such_table/);
    expect(await db().auditEntry.count()).toBe(before);
    await inTransaction((client) => appendAudits(client, [{ actor: "ana", action: "bulk-replay.batch-intent", messageIds: ["kept"] }]));
    expect(await db().auditEntry.count()).toBe(before + 1);
    expect((await verifyAuditLog()).ok).toBe(true);
  });

  it("rolls the row back with the transaction that failed", async () => {
    const before = await db().auditEntry.count();
    await expect(
      db().$transaction(async (tx) => {
        await appendAudit(tx, { actor: "ana", action: "replay.intent" });
        throw new Error("the operation state failed to write");
      }),
    ).rejects.toThrow("operation state");
    expect(await db().auditEntry.count()).toBe(before);
    expect((await verifyAuditLog()).ok).toBe(true);
  });

  it("refuses UPDATE, DELETE and TRUNCATE in the database itself", async () => {
    await append("message.view");
    await expect(database.sql(`UPDATE audit_log SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
    await expect(database.sql(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(database.sql(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });

  it("filters by actor, action kind, message id and time, newest first with a cursor", async () => {
    await append("purge.outcome", { actor: "ben", messageIds: ["p1", "p2"] });
    await append("purge.intent", { actor: "ben", messageIds: ["p1"] });
    const ben = await listAudit({ actor: "ben" }, { limit: 1 });
    expect(ben.entries.map((entry) => entry.action)).toEqual(["purge.intent"]);
    const rest = await listAudit({ actor: "ben" }, { limit: 1, cursor: ben.nextCursor });
    expect(rest.entries.map((entry) => entry.action)).toEqual(["purge.outcome"]);
    expect(rest.nextCursor).toBeNull();
    expect((await listAudit({ action: "purge", messageId: "p2" }, { limit: 10 })).entries).toHaveLength(1);
    expect((await listAudit({ action: "purge.intent" }, { limit: 10 })).entries).toHaveLength(1);
    expect((await listAudit({ from: new Date(Date.now() + 60_000) }, { limit: 10 })).entries).toHaveLength(0);
    const all: string[] = [];
    for await (const row of auditRows({ actor: "ben" }, 1)) all.push(row.action);
    expect(all).toEqual(["purge.outcome", "purge.intent"]);
  });

  it("names the first tampered row: an edit with the trigger disabled, then a deletion", async () => {
    await append("resend.outcome", { actor: "cy" });
    await append("resend.outcome", { actor: "cy", request: { n: 2 } });
    const rows = await database.sql(`SELECT id FROM audit_log WHERE actor = 'cy' ORDER BY id`);
    const [first, second] = rows.map((row) => String(row.id));
    expect((await verifyAuditLog()).ok).toBe(true);

    await database.sql(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`);
    await database.sql(`UPDATE audit_log SET actor = 'mallory' WHERE id = $1`, [first]);
    await database.sql(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`);
    const edited = await verifyAuditLog();
    expect(edited).toMatchObject({ ok: false, brokenAt: first, problem: expect.stringContaining("edited") });

    await database.sql(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`);
    await database.sql(`UPDATE audit_log SET actor = 'cy' WHERE id = $1`, [first]);
    expect((await verifyAuditLog()).ok).toBe(true);
    await database.sql(`DELETE FROM audit_log WHERE id = $1`, [first]);
    await database.sql(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`);
    expect(await verifyAuditLog()).toMatchObject({ ok: false, brokenAt: second, problem: expect.stringContaining("changed or deleted") });
  });
});
