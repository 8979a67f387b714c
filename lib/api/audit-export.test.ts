import { beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "@/lib/audit/log";
import { verifyAuditLog } from "@/lib/audit/query";
import { createRedactor } from "@/lib/auth/redaction";
import { db } from "@/lib/db/client";
import { textDiff } from "@/lib/operations/edit";
import { setupTestDatabase } from "@/lib/operations/testing/database";
import { auditExportStream, csvCell, verifyExport, type ExportedAuditEntry } from "./audit-export";

setupTestDatabase("export");

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  let text = "";
  let chunks = 0;
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    chunks++;
    text += decoder.decode(read.value, { stream: true });
  }
  return { text, chunks };
}

describe("audit export", () => {
  it("streams CSV and JSON a row at a time from keyset pages, filtered", async () => {
    for (const actor of ["ana", "ben", "ana"]) {
      await db().$transaction((tx) => appendAudit(tx, { actor, action: "replay.outcome", messageIds: ["m1", "m2"], request: { note: 'say "hi", =1+1' } }));
    }
    const csv = await readAll(auditExportStream({ actor: "ana" }, "csv", 1));
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^id,at,actor,action,/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('"ana","replay.outcome"');
    expect(lines[1]).toContain('"m1 m2"');
    expect(lines[1]).toContain('"{""note"":""say \\""hi\\"", =1+1""}"');
    expect(csv.chunks).toBe(3); // header + one chunk per row: nothing was gathered first

    const json = JSON.parse((await readAll(auditExportStream({}, "json", 2))).text) as Array<{ actor: string; request: unknown }>;
    expect(json.map((row) => row.actor)).toEqual(["ana", "ben", "ana"]);
    expect(json[0]!.request).toEqual({ note: 'say "hi", =1+1' });
    expect(JSON.parse((await readAll(auditExportStream({ actor: "nobody" }, "json"))).text)).toEqual([]);
  });

  it("defuses spreadsheet formulas in cells", () => {
    expect(csvCell("=HYPERLINK(1)")).toBe(`"'=HYPERLINK(1)"`);
    expect(csvCell(null)).toBe('""');
  });
});

describe("redacted audit export", () => {
  // The e2e console's settings: REDACT_JSON_PATHS=$.card.number,$..email, REDACT_HEADERS=authorization.
  const redactor = createRedactor({ jsonPaths: ["$.card.number", "$..email"], headers: ["authorization"] });
  const secrets = ["4111111111111111", "4242424242424242", "ann@example.com", "Bearer s3cret"];
  const before = JSON.stringify({ card: { number: "4111111111111111" }, email: "ann@example.com" });
  const after = JSON.stringify({ card: { number: "4242424242424242" }, email: "ann@example.com" });

  beforeAll(async () => {
    await db().$transaction((tx) => appendAudit(tx, { actor: "ana", action: "message.view", broker: "b", queueId: "q", messageIds: ["m1"] }));
    await db().$transaction((tx) =>
      appendAudit(tx, {
        actor: "ana",
        action: "resend.outcome",
        operationId: "op-1",
        broker: "b",
        queueId: "q",
        messageIds: ["m1"],
        request: {
          id: "m1",
          diff: {
            body: textDiff(before, after),
            contentType: null,
            properties: [{ name: "Authorization", before: { type: "string", value: "Bearer s3cret" } }, { name: "x-trace", after: { type: "string", value: "t1" } }],
          },
          snapshot: before,
        },
        outcome: { status: "succeeded", outcomes: [{ id: "m1", status: "sent-kept" }] },
      }),
    );
    await db().$transaction((tx) => appendAudit(tx, { actor: "ben", action: "replay.outcome", broker: "b", queueId: "q", messageIds: ["m2"], request: { ids: ["m2"] } }));
  });

  it("carries no configured secret, names what it masked, and keeps the stored hashes", async () => {
    const json = (await readAll(auditExportStream({ broker: "b" }, "json", 2, redactor))).text;
    const csv = (await readAll(auditExportStream({ broker: "b" }, "csv", 2, redactor))).text;
    for (const secret of secrets) {
      expect(json).not.toContain(secret);
      expect(csv).not.toContain(secret);
    }
    const entries = JSON.parse(json) as ExportedAuditEntry[];
    const stored = await db().auditEntry.findMany({ where: { broker: "b" }, orderBy: { id: "asc" } });
    expect(entries.map((entry) => [entry.hash, entry.previousHash])).toEqual(stored.map((row) => [row.hash, row.previousHash]));
    expect(entries.map((entry) => entry.redacted.length > 0)).toEqual([false, true, false]);
    expect(entries[1]!.redacted).toEqual(expect.arrayContaining(["request.diff.body", "request.diff.properties[0].before", "request.snapshot"]));
    // What is not configured stays readable: the diff still shows a change, x-trace is untouched.
    const request = entries[1]!.request as { diff: { body: string; properties: unknown[] } };
    expect(request.diff.body).toMatch(/^@@ /);
    expect(request.diff.properties[1]).toEqual({ name: "x-trace", after: { type: "string", value: "t1" } });
    expect(csv.split("\r\n")[0]).toMatch(/,redacted$/);
  });

  it("verifies offline (links, and hashes of unredacted rows) while the database chain still verifies in full", async () => {
    // The whole log: this file's earlier rows and the three above, one of them redacted.
    const entries = JSON.parse((await readAll(auditExportStream({}, "json", 500, redactor))).text) as ExportedAuditEntry[];
    const rows = await db().auditEntry.count();
    expect(entries).toHaveLength(rows);
    expect(verifyExport(entries, { complete: true })).toEqual({ ok: true, entries: rows, hashesChecked: rows - 1, redacted: 1, linksChecked: rows, problems: [] });
    expect(await verifyAuditLog()).toMatchObject({ ok: true, rows });

    // An edited unredacted row fails its hash; a redacted row's hash changed breaks the next link.
    const redactedAt = entries.findIndex((entry) => entry.redacted.length > 0);
    const edited = entries.map((entry, index) => (index === redactedAt + 1 ? { ...entry, actor: "mallory" } : entry));
    expect(verifyExport(edited, { complete: true })).toMatchObject({ ok: false, problems: [expect.stringContaining("does not match its hash")] });
    const relinked = entries.map((entry, index) => (index === redactedAt ? { ...entry, hash: "f".repeat(64) } : entry));
    expect(verifyExport(relinked, { complete: true })).toMatchObject({ ok: false, problems: [expect.stringContaining("previous hash")] });
    // A filtered export skips rows: links that are not there are not problems (rows - 2 pairs, one across the gap).
    const filtered = entries.filter((entry, index) => index !== redactedAt);
    expect(verifyExport(filtered, { complete: false })).toMatchObject({ ok: true, hashesChecked: rows - 1, linksChecked: rows - 3 });
  });
});
