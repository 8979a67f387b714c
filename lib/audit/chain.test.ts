import { describe, expect, it } from "vitest";
import { canonicalize, chainHash, GENESIS_HASH, verifyChain, type ChainedRow } from "./chain";

function chain(contents: Array<Record<string, unknown>>): ChainedRow[] {
  let previousHash = GENESIS_HASH;
  return contents.map((content, index) => {
    const row = { id: index + 1, previousHash, hash: chainHash(previousHash, content), content };
    previousHash = row.hash;
    return row;
  });
}

const events = [
  { at: new Date("2026-11-28T02:00:00Z"), actor: "ana", action: "replay", messages: ["m1", "m2"] },
  { at: new Date("2026-11-28T02:01:00Z"), actor: "ben", action: "purge", messages: ["m3"] },
  { at: new Date("2026-11-28T02:02:00Z"), actor: "ana", action: "view", messages: ["m4"] },
];

describe("audit hash chain", () => {
  it("hashes content independently of key order", () => {
    expect(chainHash(GENESIS_HASH, { a: 1, b: [1, { d: 2, c: 3 }] })).toBe(chainHash(GENESIS_HASH, { b: [1, { c: 3, d: 2 }], a: 1 }));
    expect(canonicalize({ big: 2n ** 64n, gone: undefined, raw: Uint8Array.of(255) })).toEqual({ big: "18446744073709551616", raw: "/w==" });
  });

  it("accepts an untouched chain", () => {
    expect(verifyChain(chain(events))).toMatchObject({ ok: true, rows: 3 });
  });

  it("points at an edited row", () => {
    const rows = chain(events);
    rows[1] = { ...rows[1]!, content: { ...rows[1]!.content, actor: "mallory" } };
    expect(verifyChain(rows)).toMatchObject({ ok: false, brokenAt: 2, problem: expect.stringContaining("edited") });
  });

  it("points at the row after a deleted one, even if the deleter rehashed the edited row", () => {
    const rows = chain(events);
    expect(verifyChain([rows[0]!, rows[2]!])).toMatchObject({ ok: false, brokenAt: 3, problem: expect.stringContaining("changed or deleted") });
    const forged = { ...rows[1]!, content: { ...rows[1]!.content, actor: "mallory" } };
    const rehashed = { ...forged, hash: chainHash(forged.previousHash, forged.content) };
    expect(verifyChain([rows[0]!, rehashed, rows[2]!])).toMatchObject({ ok: false, brokenAt: 3 });
  });
});
