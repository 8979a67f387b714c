import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { appendAudit } from "@/lib/audit/log";
import { db } from "@/lib/db/client";
import { setupTestDatabase } from "@/lib/operations/testing/database";

const database = setupTestDatabase("verifycli");

function verify() {
  const result = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/audit-verify.ts"], {
    env: { ...process.env, DATABASE_URL: database.url() },
    encoding: "utf8",
  });
  return { code: result.status, output: result.stdout + result.stderr };
}

describe("npm run audit:verify", () => {
  it("exits 0 on an intact chain and 1 naming the first broken row after a tamper", async () => {
    for (const actor of ["ana", "ben", "cy"]) await db().$transaction((tx) => appendAudit(tx, { actor, action: "purge.outcome" }));
    expect(verify()).toMatchObject({ code: 0, output: expect.stringContaining("intact: 3 row(s)") });

    const [{ id }] = (await database.sql(`SELECT id FROM audit_log WHERE actor = 'ben'`)) as [{ id: string }];
    await database.sql(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`);
    await database.sql(`UPDATE audit_log SET outcome = '{"status":"succeeded"}' WHERE id = $1`, [id]);
    await database.sql(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`);
    const broken = verify();
    expect(broken.code).toBe(1);
    expect(broken.output).toContain(`BROKEN at row ${id}`);
    expect(broken.output).toContain('"actor":"ben"');
  }, 60_000);
});
