// Rule 2 under SIGKILL: a child process replays messages through lib/operations and is killed at a
// random moment, many times. Afterwards every message is in the DLQ or the source (none lost), and
// every copy in the source carries the id of the message it copies (duplicates dedupe).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { browseAll } from "@/lib/brokers/testing/contract";
import { setupTestDatabase } from "./testing/database";
import { OPERATION_BROKERS, type OperationsFixture } from "./testing/fixtures";

const database = setupTestDatabase("fault");

const RUNS = Number(process.env.FAULT_RUNS ?? 20);
const MESSAGES_PER_RUN = 3;
const CHILD = path.join(import.meta.dirname, "testing", "replay-child.ts");

interface ChildRun {
  readonly finished: boolean;
  /** ms from "ready" to "done", when it finished. */
  readonly durationMs: number | null;
  readonly output: string;
}

/** Start the child; kill it `killAfterMs` after it says ready (never, when null). */
function runChild(fixture: OperationsFixture, ids: string[], killAfterMs: number | null): Promise<ChildRun> {
  const input = { broker: fixture.childConfig, queueId: fixture.dlq.id, ids, operationId: randomUUID() };
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", CHILD], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: database.url(), FAULT_CHILD_INPUT: JSON.stringify(input) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let errors = "";
  let readyAt = 0;
  let doneAt = 0;
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (!readyAt && output.includes("ready\n")) {
        readyAt = performance.now();
        if (killAfterMs !== null) setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      }
      if (!doneAt && output.includes("done ")) doneAt = performance.now();
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal !== "SIGKILL" && code !== 0) reject(new Error(`child exited ${code}: ${errors}`));
      else resolve({ finished: doneAt > 0, durationMs: doneAt ? doneAt - readyAt : null, output });
    });
  });
}

describe.each(OPERATION_BROKERS)("replay killed with SIGKILL at random points on $name", (broker) => {
  it(`loses no message over ${RUNS} killed runs`, async () => {
    const factory = await broker.start();
    // SQS: what a killed replay received reappears after 2 s instead of the default 300.
    const fixture = await factory.create({ connection: { actionVisibilityTimeoutSeconds: 2 } });
    try {
      // Seed every run's messages first: seeding dead-letters through the source queue, which would
      // pull earlier runs' replayed copies back into the DLQ.
      const originals = Array.from({ length: (RUNS + 1) * MESSAGES_PER_RUN }, (_, index) => `fault-${index}`);
      const dlqIds = await fixture.seed(
        originals.map((messageId) => ({ messageId, body: new TextEncoder().encode(`{"id":"${messageId}"}`), contentType: "application/json" })),
      );
      const idsOfRun = (run: number) => dlqIds.slice(run * MESSAGES_PER_RUN, (run + 1) * MESSAGES_PER_RUN);

      // Calibrate: one undisturbed run says how long a replay takes; kills land anywhere in it.
      const calibration = await runChild(fixture, idsOfRun(0), null);
      expect(calibration.output).toContain('done ["moved","moved","moved"]');
      const windowMs = Math.max(20, (calibration.durationMs ?? 100) * 1.3);

      let killedMidway = 0;
      for (let run = 1; run <= RUNS; run++) {
        const outcome = await runChild(fixture, idsOfRun(run), Math.random() * windowMs);
        if (!outcome.finished) killedMidway++;
      }
      expect(killedMidway, "kills that landed before the replay finished").toBeGreaterThan(0);

      await new Promise((resolve) => setTimeout(resolve, 2500)); // SQS: hidden messages come back
      const inDlq = (await browseAll(fixture.adapter, fixture.dlq.id)).map((message) => message.messageId);
      const inSource = await fixture.drainSource();
      const everywhere = new Set([...inDlq, ...inSource.map((copy) => copy.originalId)]);
      const lost = originals.filter((id) => !everywhere.has(id));
      expect(lost, "messages in neither the DLQ nor the source").toEqual([]);
      // Every copy names the message it copies; a duplicate is recognisable by that id.
      expect(inSource.filter((copy) => !originals.includes(copy.originalId ?? "")), "copies without their original id").toEqual([]);
      const duplicates = originals.filter((id) => inDlq.includes(id) && inSource.some((copy) => copy.originalId === id)).length;
      console.log(`${broker.name}: ${RUNS} runs, ${killedMidway} killed midway, ${inSource.length} copies in the source, ${inDlq.length} in the DLQ, ${duplicates} in both`);
    } finally {
      await fixture.cleanup();
      await factory.stop();
    }
  }, 150_000);
});
