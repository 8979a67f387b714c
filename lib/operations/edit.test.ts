import { describe, expect, it } from "vitest";
import { checkEdit, isJsonContentType, propertyChanges, textDiff } from "./edit";

const utf8 = (text: string) => new TextEncoder().encode(text);

describe("edit checks", () => {
  it("refuses invalid JSON with the parser's own error", () => {
    const result = checkEdit({ body: utf8('{"order": 1,}'), contentType: "application/json", properties: {} }, 262_144);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^the body is not valid JSON \(application\/json\): /);
  });

  it("accepts valid JSON and leaves non-JSON bodies alone", () => {
    expect(checkEdit({ body: utf8('{"order": 1}'), contentType: "application/vnd.shop+json; charset=utf-8", properties: {} }, 1_000)).toEqual({ ok: true });
    expect(checkEdit({ body: utf8("{not json but text/plain"), contentType: "text/plain", properties: {} }, 1_000)).toEqual({ ok: true });
    expect(checkEdit({ body: Uint8Array.of(0xff, 0x00), contentType: null, properties: {} }, 1_000)).toEqual({ ok: true });
  });

  it("refuses a message over the broker's limit, counting properties", () => {
    const body = new Uint8Array(990);
    expect(checkEdit({ body, contentType: null, properties: {} }, 1_000)).toEqual({ ok: true });
    const result = checkEdit({ body, contentType: null, properties: { tenant: "abcdefgh" } }, 1_000);
    expect(result).toEqual({ ok: false, error: "the message is 1006 bytes with its properties; this broker accepts at most 1000" });
  });

  it("knows JSON content types", () => {
    expect(isJsonContentType("application/json")).toBe(true);
    expect(isJsonContentType("application/cloudevents+json")).toBe(true);
    expect(isJsonContentType("text/json-ish")).toBe(false);
    expect(isJsonContentType(null)).toBe(false);
  });
});

describe("diffs", () => {
  it("shows changed lines with context", () => {
    const before = '{\n  "sku": "A-1",\n  "qty": 1\n}';
    const after = '{\n  "sku": "A-1",\n  "qty": 2\n}';
    expect(textDiff(before, after)).toBe('@@ -1,4 +1,4 @@\n {\n   "sku": "A-1",\n-  "qty": 1\n+  "qty": 2\n }');
    expect(textDiff("same", "same")).toBe("");
  });

  it("lists property additions, removals and changes", () => {
    expect(propertyChanges({ a: "1", b: 2, c: true }, { a: "1", b: 3, d: null })).toEqual([
      { name: "b", before: 2, after: 3 },
      { name: "c", before: true, after: undefined },
      { name: "d", before: undefined, after: null },
    ]);
  });
});
