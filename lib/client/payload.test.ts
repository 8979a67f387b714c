import { describe, expect, it } from "vitest";
import { base64ToBytes, hexDump, prettyJson } from "./payload";

describe("payload renderings", () => {
  it("pretty-prints JSON and declines anything else", () => {
    expect(prettyJson('{"a":[1,{"b":"<script>"}]}')).toBe('{\n  "a": [\n    1,\n    {\n      "b": "<script>"\n    }\n  ]\n}');
    expect(prettyJson("{not json")).toBeNull();
    expect(prettyJson("plain text")).toBeNull();
    expect(prettyJson(null)).toBeNull();
  });

  it("dumps bytes as offset, hex and printable ASCII", () => {
    const dump = hexDump(Uint8Array.from([0x00, 0x41, 0x42, 0x7f, 0xff, ...new TextEncoder().encode("hello world!!")]));
    expect(dump).toBe("00000000  00 41 42 7f ff 68 65 6c 6c 6f 20 77 6f 72 6c 64  .AB..hello world\n00000010  21 21                                            !!");
    expect(hexDump(new Uint8Array(40), 16).split("\n").at(-1)).toBe("… 24 more bytes");
  });

  it("decodes base64 to the exact bytes", () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, index) => index);
    expect(base64ToBytes(Buffer.from(bytes).toString("base64"))).toEqual(bytes);
  });
});
