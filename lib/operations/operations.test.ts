// Replay, edit-and-resend, purge, archive and restore on each broker, checked on the broker itself;
// idempotency, conflicts, refusals and their audit rows. RabbitMQ is the real local broker, SQS the
// fauxqs emulator; each test gets its own queues.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/api-error";
import { verifyAuditLog } from "@/lib/audit/query";
import type { Actor } from "@/lib/auth/actor";
import { ALL_BYTES, browseAll } from "@/lib/brokers/testing/contract";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { db } from "@/lib/db/client";
import { listArchives, purgeMessages, restoreArchived } from "./purge";
import { previewReplay, replayMessages, resendMessage } from "./replay";
import type { OperationTarget } from "./run";
import { setupTestDatabase } from "./testing/database";
import { OPERATION_BROKERS, type OperationsFixture } from "./testing/fixtures";

setupTestDatabase("operations");

const utf8 = (text: string) => new TextEncoder().encode(text);
const actor: Actor = { id: "ana@example.com", role: "admin", ip: "10.0.0.7", userAgent: "vitest" };
const policy = { reasonRequiredIn: ["prod"], archiveRetentionDays: 30 };
const opId = () => randomUUID();
const seeds = (prefix: string) => [
  { messageId: `${prefix}-1`, body: utf8('{"order":1,"note":"héllo"}'), contentType: "application/json", properties: { tenant: "a" } },
  { messageId: `${prefix}-2`, body: utf8('{"order":2}'), contentType: "application/json", properties: { tenant: "b" } },
];

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

const auditActions = async (operationId: string) =>
  (await db().auditEntry.findMany({ where: { operationId }, orderBy: { id: "asc" } })).map((row) => row.action);

/** The adapter with replay held until release(), counting calls: two operations truly at once. */
function gated(adapter: BrokerAdapter) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let replayCalls = 0;
  const wrapped: BrokerAdapter = Object.create(adapter, {
    replay: {
      value: async (...args: Parameters<BrokerAdapter["replay"]>) => {
        replayCalls++;
        await gate;
        return adapter.replay(...args);
      },
    },
  });
  return { adapter: wrapped, release, calls: () => replayCalls };
}

describe.each(OPERATION_BROKERS)("operations on $name", (broker) => {
  let factory: Awaited<ReturnType<typeof broker.start>>;
  let fixture: OperationsFixture;
  let target: OperationTarget;
  let ids: string[];

  beforeAll(async () => {
    factory = await broker.start();
  });
  afterAll(async () => {
    await factory?.stop();
  });

  async function fresh(prefix: string) {
    fixture = await factory.create();
    target = { adapter: fixture.adapter, broker: fixture.adapter.name, queueId: fixture.dlq.id, environment: null };
    ids = await fixture.seed(seeds(prefix));
  }
  const dlqBodies = async () => (await browseAll(fixture.adapter, fixture.dlq.id)).map((message) => Buffer.from(message.body).toString("utf8"));

  it("replays a message to its source: copy with the same id, bytes and properties there, gone from the DLQ; a repeat does nothing", async () => {
    await fresh("replay");
    try {
      const preview = await previewReplay(target, [ids[0]!]);
      expect(preview.routes[0]?.sendTo.id).toBe(fixture.source.id);
      expect(preview.routes[0]?.blocked).toBeNull();

      const operationId = opId();
      const first = await replayMessages(target, actor, { operationId, ids: [ids[0]!] }, policy);
      expect(first).toMatchObject({ repeated: false, operation: { status: "succeeded", result: { outcomes: [{ id: ids[0], status: "moved" }] } } });

      const again = await replayMessages(target, actor, { operationId, ids: [ids[0]!] }, policy);
      expect(again.repeated).toBe(true);
      expect(again.operation).toEqual(first.operation);

      const copies = await fixture.drainSource();
      expect(copies).toHaveLength(1);
      expect(copies[0]).toMatchObject({ originalId: "replay-1", contentType: "application/json", operationId, properties: expect.objectContaining({ tenant: "a" }) });
      expect(copies[0]!.body.equals(Buffer.from('{"order":1,"note":"héllo"}'))).toBe(true);
      expect(await dlqBodies()).toEqual(['{"order":2}']);
      expect(await auditActions(operationId)).toEqual(["replay.intent", "replay.outcome"]);
      expect(await verifyAuditLog()).toMatchObject({ ok: true });
    } finally {
      await fixture.cleanup();
    }
  });

  it("edits and resends: the edited body and properties arrive, the original is removed or kept as asked", async () => {
    await fresh("edit");
    try {
      const operationId = opId();
      const original = await fixture.adapter.getMessage(fixture.dlq.id, ids[0]!);
      const edited = await resendMessage(
        target,
        actor,
        { operationId, id: ids[0]!, body: utf8('{"order":1,"note":"fixed"}'), properties: { ...original!.properties, fixedBy: "ana" } },
        policy,
      );
      expect(edited.operation).toMatchObject({ status: "succeeded", result: { outcomes: [{ status: "moved" }] } });
      // A retry of the same request (the original is gone now) returns the first result.
      const retried = await resendMessage(target, actor, { operationId, id: ids[0]!, body: utf8('{"order":1,"note":"fixed"}') }, policy);
      expect(retried).toEqual({ operation: edited.operation, repeated: true });
      const kept = await resendMessage(target, actor, { operationId: opId(), id: ids[1]!, body: utf8('{"order":2,"v":2}'), keepOriginal: true }, policy);
      expect(kept.operation.result?.outcomes[0]?.status).toBe("sent-kept");

      const copies = await fixture.drainSource();
      const first = copies.find((copy) => copy.originalId === "edit-1")!;
      expect(first.body.toString("utf8")).toBe('{"order":1,"note":"fixed"}');
      expect(first.properties).toMatchObject({ tenant: "a", fixedBy: "ana" });
      expect(copies.find((copy) => copy.originalId === "edit-2")?.body.toString("utf8")).toBe('{"order":2,"v":2}');
      expect(await dlqBodies()).toEqual(['{"order":2}']); // the kept original, untouched

      const outcomeRow = await db().auditEntry.findFirstOrThrow({ where: { operationId, action: "resend.outcome" } });
      const request = JSON.parse(outcomeRow.request) as { diff: { body: string; properties: Array<{ name: string }> } };
      expect(request.diff.body).toContain('-{"order":1,"note":"héllo"}');
      expect(request.diff.body).toContain('+{"order":1,"note":"fixed"}');
      expect(request.diff.properties.map((change) => change.name)).toEqual(["fixedBy"]);
    } finally {
      await fixture.cleanup();
    }
  });

  it("refuses an invalid JSON edit with the parser's error, sends nothing and leaves the original untouched", async () => {
    await fresh("badjson");
    try {
      const operationId = opId();
      const error = await refusal(resendMessage(target, actor, { operationId, id: ids[0]!, body: utf8('{"order":1,') }, policy));
      expect(error.code).toBe("unprocessable");
      expect(error.message).toMatch(/not valid JSON \(application\/json\): .+/);
      expect(await fixture.drainSource()).toEqual([]);
      const left = await browseAll(fixture.adapter, fixture.dlq.id);
      expect(left.map((message) => message.id)).toEqual(ids);
      expect(Buffer.from(left[0]!.body).toString("utf8")).toBe('{"order":1,"note":"héllo"}');
      expect(left[0]!.properties.tenant).toBe("a");
      expect(await auditActions(operationId)).toEqual(["resend.refused"]);
      expect(await db().operation.findUnique({ where: { id: operationId } })).toBeNull();
    } finally {
      await fixture.cleanup();
    }
  });

  it("purges selected messages into the archive and restores them to the DLQ and to the source, once each", async () => {
    await fresh("purge");
    try {
      expect((await refusal(purgeMessages(target, actor, { operationId: opId(), ids, confirm: "wrong" }, policy))).message).toContain(fixture.dlq.id);
      const purge = await purgeMessages(target, actor, { operationId: opId(), ids, confirm: fixture.dlq.id }, policy);
      expect(purge.operation.result?.outcomes.map((outcome) => outcome.status)).toEqual(["removed", "removed"]);
      expect(await dlqBodies()).toEqual([]);

      const { archives } = await listArchives(target.broker, target.queueId, { limit: 10 });
      expect(archives).toHaveLength(2);
      const rows = await db().archivedMessage.findMany({ orderBy: { id: "asc" }, where: { queueId: target.queueId } });
      expect(Buffer.from(rows[0]!.body).toString("utf8")).toBe('{"order":1,"note":"héllo"}');
      const [firstArchive, secondArchive] = rows.map((row) => String(row.id));

      const toDlq = await restoreArchived(target, actor, { operationId: opId(), archiveIds: [firstArchive!], to: "dlq" }, policy);
      expect(toDlq.operation.result?.outcomes[0]?.status).toBe("restored");
      const back = await browseAll(fixture.adapter, fixture.dlq.id);
      expect(back).toHaveLength(1);
      expect(Buffer.from(back[0]!.body).toString("utf8")).toBe('{"order":1,"note":"héllo"}');
      expect(back[0]!.messageId).toBe("purge-1");
      expect(back[0]!.properties.tenant).toBe("a");

      const toSource = await restoreArchived(target, actor, { operationId: opId(), archiveIds: [secondArchive!, firstArchive!], to: "source" }, policy);
      expect(toSource.operation.result?.outcomes.map((outcome) => outcome.status)).toEqual(["restored", "skipped"]);
      const copies = await fixture.drainSource();
      expect(copies.map((copy) => [copy.originalId, copy.body.toString("utf8")])).toEqual([["purge-2", '{"order":2}']]);
      expect(copies[0]!.properties.tenant).toBe("b");
    } finally {
      await fixture.cleanup();
    }
  });

  it("purges the whole DLQ only with the queue name typed, archiving every message first", async () => {
    await fresh("purgeall");
    try {
      const operationId = opId();
      const purge = await purgeMessages(target, actor, { operationId, all: true, confirm: fixture.dlq.id }, policy);
      expect(purge.operation.status).toBe("succeeded");
      expect(purge.operation.result?.outcomes).toHaveLength(2);
      expect(await dlqBodies()).toEqual([]);
      expect(await db().archivedMessage.count({ where: { operationId } })).toBe(2);
      expect(await auditActions(operationId)).toEqual(["purge.intent", "purge.archive", "purge.outcome"]);
    } finally {
      await fixture.cleanup();
    }
  });

  it("lets one of two operations on the same message win; the other gets a 409, and a repeat of the running one waits for nothing", async () => {
    await fresh("race");
    try {
      const hold = gated(fixture.adapter);
      const slowTarget = { ...target, adapter: hold.adapter };
      const winnerId = opId();
      const winner = replayMessages(slowTarget, actor, { operationId: winnerId, ids: [ids[0]!] }, policy);
      await expect.poll(hold.calls).toBe(1);

      const loser = await refusal(replayMessages(target, { ...actor, id: "ben@example.com" }, { operationId: opId(), ids: [ids[0]!] }, policy));
      expect(loser.code).toBe("conflict");
      expect(loser.message).toContain(winnerId);
      const purgeAll = await refusal(purgeMessages(target, actor, { operationId: opId(), all: true, confirm: fixture.dlq.id }, policy));
      expect(purgeAll.code).toBe("conflict");

      const repeat = await replayMessages(slowTarget, actor, { operationId: winnerId, ids: [ids[0]!] }, policy);
      expect(repeat).toMatchObject({ repeated: true, operation: { status: "running" } });
      const reused = await refusal(replayMessages(slowTarget, actor, { operationId: winnerId, ids: [ids[1]!] }, policy));
      expect(reused.code).toBe("conflict");

      hold.release();
      expect((await winner).operation.status).toBe("succeeded");
      expect(hold.calls()).toBe(1);
      expect(await fixture.drainSource()).toHaveLength(1);
      // The message is free again once the winner finished.
      const after = await replayMessages(target, actor, { operationId: opId(), ids: [ids[1]!] }, policy);
      expect(after.operation.status).toBe("succeeded");
    } finally {
      await fixture.cleanup();
    }
  });

  it("sends a message once when two operators replay it at the same moment", async () => {
    await fresh("samemoment");
    try {
      const settled = await Promise.allSettled(
        ["ana@example.com", "ben@example.com"].map((id) => replayMessages(target, { ...actor, id }, { operationId: opId(), ids: [ids[0]!] }, policy)),
      );
      const moved = settled.filter((result) => result.status === "fulfilled" && result.value.operation.result?.outcomes[0]?.status === "moved");
      expect(moved).toHaveLength(1);
      // The other lost the claim (409) or, if it began after the first finished, found nothing to move.
      for (const result of settled.filter((candidate) => !moved.includes(candidate))) {
        if (result.status === "rejected") expect((result.reason as ApiError).code).toBe("conflict");
        else expect(result.value.operation.result?.outcomes[0]?.status).toBe("not-found");
      }
      expect(await fixture.drainSource()).toHaveLength(1);
    } finally {
      await fixture.cleanup();
    }
  });

  it("archives and restores a binary body byte for byte where the broker carries bytes", async (context) => {
    fixture = await factory.create();
    try {
      if (!fixture.adapter.capabilities.binaryBodies) context.skip("this broker carries UTF-8 text only");
      target = { adapter: fixture.adapter, broker: fixture.adapter.name, queueId: fixture.dlq.id, environment: null };
      const [id] = await fixture.seed([{ messageId: "bin-1", body: ALL_BYTES, contentType: "application/octet-stream", properties: { tenant: "z" } }]);
      await purgeMessages(target, actor, { operationId: opId(), ids: [id!], confirm: fixture.dlq.id }, policy);
      const [row] = await db().archivedMessage.findMany({ where: { queueId: target.queueId } });
      expect(Buffer.from(row!.body).equals(Buffer.from(ALL_BYTES))).toBe(true);
      await restoreArchived(target, actor, { operationId: opId(), archiveIds: [String(row!.id)], to: "source" }, policy);
      const [copy] = await fixture.drainSource();
      expect(copy!.body.equals(Buffer.from(ALL_BYTES))).toBe(true);
      expect(copy).toMatchObject({ originalId: "bin-1", contentType: "application/octet-stream", properties: expect.objectContaining({ tenant: "z" }) });
    } finally {
      await fixture.cleanup();
    }
  });

  it("requires a reason or ticket on a prod broker and records it", async () => {
    await fresh("prod");
    try {
      const prod = { ...target, environment: "Prod" };
      const operationId = opId();
      expect((await refusal(replayMessages(prod, actor, { operationId, ids: [ids[0]!] }, policy))).message).toContain("reason or ticket");
      const done = await replayMessages(prod, actor, { operationId, ids: [ids[0]!], ticket: "INC-42" }, policy);
      expect(done.operation).toMatchObject({ status: "succeeded", ticket: "INC-42" });
      expect(await auditActions(operationId)).toEqual(["replay.refused", "replay.intent", "replay.outcome"]);
    } finally {
      await fixture.cleanup();
    }
  });
});
