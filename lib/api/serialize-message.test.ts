import { describe, expect, it } from "vitest";
import { createRedactor, MASK } from "@/lib/auth/redaction";
import type { DeadLetter } from "@/lib/brokers/types";
import { MAX_BODY_BYTES_IN_RESPONSE, toMessageDetail, toMessageSummary, toPropertyDto, utf8Prefix } from "./serialize-message";

const message = (body: Uint8Array, overrides: Partial<DeadLetter> = {}): DeadLetter => ({
  id: "m1",
  messageId: "order-1",
  body,
  contentType: "application/json",
  contentEncoding: null,
  properties: {},
  systemProperties: {},
  failure: { reason: "rejected", description: "Order 12 not found" },
  attempts: { count: 5, cap: 5 },
  history: [],
  source: { id: "orders", name: "orders" },
  partitionKey: null,
  enqueuedAt: new Date("2026-11-28T01:00:00Z"),
  deadLetteredAt: null,
  ...overrides,
});

describe("message serialisation", () => {
  it("keeps every byte of a binary body and offers no text for it", () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, index) => index);
    const detail = toMessageDetail(message(bytes));
    expect(Buffer.from(detail.body.base64, "base64").equals(Buffer.from(bytes))).toBe(true);
    expect(detail.body.text).toBeNull();
    expect(detail.preview).toBeNull();
    expect(detail.size).toBe(256);
  });

  it("keeps markup as plain text (the browser renders it as text)", () => {
    const text = '<script>alert(1)</script><img src=x onerror="alert(2)">';
    const detail = toMessageDetail(message(new TextEncoder().encode(text)));
    expect(detail.body.text).toBe(text);
    expect(detail.preview).toBe(text);
  });

  it("bounds a large body without splitting a character", () => {
    const big = new TextEncoder().encode("é".repeat(MAX_BODY_BYTES_IN_RESPONSE)); // 2 bytes each
    const detail = toMessageDetail(message(big));
    expect(detail.body.truncated).toBe(true);
    expect(detail.size).toBe(big.byteLength);
    expect(detail.body.text).toBe("é".repeat(MAX_BODY_BYTES_IN_RESPONSE / 2));
    const odd = utf8Prefix(new TextEncoder().encode("aé"), 2);
    expect(new TextDecoder().decode(odd)).toBe("a");
    expect(utf8Prefix(new TextEncoder().encode("é"), 2).byteLength).toBe(2);
  });

  it("fingerprints the failure and keeps types of properties", () => {
    expect(toMessageSummary(message(new Uint8Array())).fingerprint.label).toBe("rejected: Order <n> not found");
    expect(toPropertyDto({ count: 2n ** 70n, at: new Date(0), raw: Uint8Array.of(1, 2), list: [1, "a", null] })).toEqual({
      type: "map",
      entries: {
        count: { type: "bigint", value: "1180591620717411303424" },
        at: { type: "date", value: "1970-01-01T00:00:00.000Z" },
        raw: { type: "binary", base64: "AQI=", size: 2 },
        list: { type: "list", items: [{ type: "number", value: 1 }, { type: "string", value: "a" }, { type: "null" }] },
      },
    });
  });
});

describe("message serialisation below reader (redacted view)", () => {
  const redactor = createRedactor({ jsonPaths: ["$.card.number", "$..email"], headers: ["authorization"] });
  const view = { full: false, redactor } as const;
  const order = { card: { number: "4111111111111111", expiry: "12/30" }, customer: { email: "ann@example.com", name: "Ann" } };
  const properties = { authorization: "Bearer t0ken", nested: { Authorization: "Bearer inner", keep: "k" }, "x-trace": "abc" };

  it("masks JSON paths in body, base64 and preview, and configured headers at any depth", () => {
    const detail = toMessageDetail(message(new TextEncoder().encode(JSON.stringify(order)), { properties }), view);
    const leaked = JSON.stringify(detail);
    for (const secret of ["4111111111111111", "ann@example.com", "t0ken", "inner"]) expect(leaked).not.toContain(secret);
    expect(JSON.parse(detail.body.text!)).toEqual({ card: { number: MASK, expiry: "12/30" }, customer: { email: MASK, name: "Ann" } });
    expect(Buffer.from(detail.body.base64, "base64").toString("utf8")).toBe(detail.body.text);
    expect(detail.body.redacted).toBe(true);
    expect(detail.preview).toContain(`"number":"${MASK}"`);
    expect(detail.properties).toEqual({
      authorization: { type: "string", value: MASK },
      nested: { type: "map", entries: { Authorization: { type: "string", value: MASK }, keep: { type: "string", value: "k" } } },
      "x-trace": { type: "string", value: "abc" },
    });
  });

  it("withholds bodies it cannot mask field by field: text, binary, cut JSON", () => {
    for (const body of [new TextEncoder().encode("card 4111111111111111"), Uint8Array.from([0xff, 0x00, 0x41])]) {
      const detail = toMessageDetail(message(body), view);
      expect(detail.body).toEqual({ base64: "", text: null, truncated: false, redacted: true });
      expect(detail.preview).toBeNull();
      expect(detail.size).toBe(body.byteLength);
    }
    const big = new TextEncoder().encode(JSON.stringify({ card: { number: "4111111111111111" }, pad: "x".repeat(MAX_BODY_BYTES_IN_RESPONSE) }));
    expect(toMessageDetail(message(big), view).body).toMatchObject({ base64: "", text: null, truncated: true });
    expect(toMessageSummary(message(big), view).preview).toBeNull();
  });

  it("shows readers everything, unmasked", () => {
    const detail = toMessageDetail(message(new TextEncoder().encode(JSON.stringify(order)), { properties }));
    expect(detail.body.redacted).toBe(false);
    expect(JSON.stringify(detail)).toContain("4111111111111111");
    expect(detail.properties.authorization).toEqual({ type: "string", value: "Bearer t0ken" });
  });
});
