// Fails when a registered broker kind has no contract test running the shared suite.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REGISTERED_KINDS } from "./registry";
import { BROKER_KINDS } from "./types";

describe("broker contract coverage", () => {
  it.each(REGISTERED_KINDS.map((kind) => [kind]))("%s has a contract test that runs testBroker()", (kind) => {
    const file = path.join(__dirname, kind, "contract.test.ts");
    expect(existsSync(file), `${file} is missing`).toBe(true);
    expect(readFileSync(file, "utf8")).toMatch(/\btestBroker\(/);
  });

  it("registers only known kinds", () => {
    for (const kind of REGISTERED_KINDS) expect(BROKER_KINDS).toContain(kind);
  });
});
