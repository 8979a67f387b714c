import { describe, expect, it } from "vitest";
import { formatJson, MAX_JSON_DEPTH, parseJson } from "./json-source";
import { prettyJson } from "./payload";

describe("JSON payloads read exactly as written", () => {
  it("keeps numbers past 2^53 and their exact spelling", () => {
    expect(prettyJson('{"orderId":12345678901234567890,"price":1.10,"tiny":1e-7}')).toBe(
      '{\n  "orderId": 12345678901234567890,\n  "price": 1.10,\n  "tiny": 1e-7\n}',
    );
  });

  it("keeps duplicate keys in order, and a __proto__ key as a plain key", () => {
    const node = parseJson('{"a":1,"a":2,"__proto__":{"polluted":true}}');
    expect(node).toEqual({
      t: "obj",
      entries: [
        ["a", { t: "num", src: "1" }],
        ["a", { t: "num", src: "2" }],
        ["__proto__", { t: "obj", entries: [["polluted", { t: "bool", v: true }]] }],
      ],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("decodes string escapes and re-encodes them as JSON", () => {
    const node = parseJson('["caf\\u00e9", "line\\nbreak", "\\"q\\"", "<script>"]');
    expect(node).toEqual({ t: "arr", items: [{ t: "str", v: "café" }, { t: "str", v: "line\nbreak" }, { t: "str", v: '"q"' }, { t: "str", v: "<script>" }] });
    expect(formatJson(node!)).toBe('[\n  "café",\n  "line\\nbreak",\n  "\\"q\\"",\n  "<script>"\n]');
  });

  it("declines what is not JSON, trailing garbage, and nesting too deep for a tree", () => {
    for (const text of ["{not json", '{"a":1} x', "[1,]", "plain", '{"a":01}', '"unterminated']) expect(parseJson(text), text).toBeNull();
    expect(parseJson("[".repeat(MAX_JSON_DEPTH + 2) + "]".repeat(MAX_JSON_DEPTH + 2))).toBeNull();
    expect(parseJson("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH))).not.toBeNull();
  });

  it("formats empty containers and scalars", () => {
    expect(prettyJson(' {"a":[],"b":{},"c":null,"d":false} ')).toBe('{\n  "a": [],\n  "b": {},\n  "c": null,\n  "d": false\n}');
  });
});
