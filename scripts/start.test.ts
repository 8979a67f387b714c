// The launcher refuses a wrong brokers file with one line naming the field and a non-zero exit,
// before it starts anything.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("scripts/start.ts", () => {
  it("exits non-zero naming the bad field of the brokers file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "dlq-start-"));
    const brokersFile = path.join(dir, "brokers.yaml");
    writeFileSync(brokersFile, "brokers:\n  - name: rabbit\n    kind: rabbitmq\n    connection:\n      url: 5672\n");
    const result = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/start.ts", "dev"], {
      env: { ...process.env, BROKERS_FILE: brokersFile, DATA_DIR: dir },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${brokersFile}: brokers[0].connection.url: Invalid input: expected string, received number`);
  });
});
