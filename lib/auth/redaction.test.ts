import { describe, expect, it } from "vitest";
import { createRedactor, MASK, parseJsonPath, redactorFor, redactPayloadText, seesFullPayloads } from "./redaction";

const order = {
  card: { number: "4111111111111111", expiry: "12/30" },
  customer: { email: "a@example.com", name: "Ann", contacts: [{ email: "b@example.com" }, { phone: "1" }] },
  items: [{ sku: "x", price: 1 }, { sku: "y", price: 2 }],
  "odd key": "v",
};

describe("parseJsonPath", () => {
  it("parses the supported subset and refuses the rest", () => {
    expect(parseJsonPath("$.card.number")).toEqual([{ kind: "key", key: "card" }, { kind: "key", key: "number" }]);
    expect(parseJsonPath("$..email")).toEqual([{ kind: "deep", key: "email" }]);
    expect(parseJsonPath("email")).toEqual([{ kind: "deep", key: "email" }]);
    expect(parseJsonPath("$.items[*].price")).toEqual([{ kind: "key", key: "items" }, { kind: "any" }, { kind: "key", key: "price" }]);
    expect(parseJsonPath("$['odd key']")).toEqual([{ kind: "key", key: "odd key" }]);
    expect(parseJsonPath("$.items[1]")).toEqual([{ kind: "key", key: "items" }, { kind: "index", index: 1 }]);
    expect(() => parseJsonPath("$")).toThrow(/below \$/);
    expect(() => parseJsonPath("$.a[")).toThrow(/not a JSON path/);
    expect(() => parseJsonPath("a.b")).toThrow(/not a JSON path/);
  });
});

describe("createRedactor", () => {
  it("masks exact paths, wildcards, indexes and keys at any depth, leaving the rest and the input alone", () => {
    const redactor = createRedactor({ jsonPaths: ["$.card.number", "email", "$.items[*].price", "$['odd key']"], headers: [] });
    const before = structuredClone(order);
    expect(redactor.json(order)).toEqual({
      card: { number: MASK, expiry: "12/30" },
      customer: { email: MASK, name: "Ann", contacts: [{ email: MASK }, { phone: "1" }] },
      items: [{ sku: "x", price: MASK }, { sku: "y", price: MASK }],
      "odd key": MASK,
    });
    expect(order).toEqual(before);
    expect(createRedactor({ jsonPaths: ["$.items[0]"], headers: [] }).json(order)).toMatchObject({ items: [MASK, { sku: "y" }] });
    expect(createRedactor({ jsonPaths: ["$.card.*"], headers: [] }).json(order)).toMatchObject({ card: { number: MASK, expiry: MASK } });
  });

  it("masks a whole object when the path ends on it, and ignores paths that match nothing", () => {
    const redactor = createRedactor({ jsonPaths: ["$.card", "$.nothing.here"], headers: [] });
    expect(redactor.json(order)).toMatchObject({ card: MASK, customer: { name: "Ann" } });
    expect(redactor.json("plain")).toBe("plain");
  });

  it("masks JSON text and answers null for text that is not JSON", () => {
    const redactor = createRedactor({ jsonPaths: ["$..email"], headers: [] });
    expect(JSON.parse(redactor.jsonText(JSON.stringify(order))!)).toMatchObject({ customer: { email: MASK } });
    expect(redactor.jsonText("<xml>email</xml>")).toBeNull();
  });

  it("masks property and header names case-insensitively", () => {
    const redactor = createRedactor({ jsonPaths: [], headers: ["Authorization", "x-api-key"] });
    const masked = redactor.properties({ authorization: "Bearer t", "X-API-KEY": "k", other: "o" }, () => MASK);
    expect(masked).toEqual({ authorization: MASK, "X-API-KEY": MASK, other: "o" });
  });
});

describe("redactPayloadText", () => {
  const redactor = createRedactor({ jsonPaths: ["$.card.number"], headers: [] });
  const text = JSON.stringify(order);

  it("shows readers the payload, masks it for viewers and in exports, hides non-JSON from viewers", () => {
    expect(seesFullPayloads("viewer")).toBe(false);
    expect(seesFullPayloads("reader")).toBe(true);
    expect(seesFullPayloads(null)).toBe(false);
    expect(redactPayloadText(text, "reader", redactor)).toBe(text);
    expect(redactPayloadText(text, "admin", redactor)).toBe(text);
    expect(JSON.parse(redactPayloadText(text, "viewer", redactor)!).card.number).toBe(MASK);
    expect(JSON.parse(redactPayloadText(text, "admin", redactor, { forExport: true })!).card.number).toBe(MASK);
    expect(redactPayloadText("not json 4111", "viewer", redactor)).toBeNull();
    expect(redactPayloadText("not json", "reader", redactor)).toBe("not json");
    expect(redactPayloadText(null, "viewer", redactor)).toBeNull();
  });
});

describe("redactorFor", () => {
  it("builds once per configuration", () => {
    const config = { jsonPaths: ["$.a"], headers: [] };
    expect(redactorFor(config)).toBe(redactorFor({ jsonPaths: ["$.a"], headers: [] }));
    expect(redactorFor({ jsonPaths: ["$.b"], headers: [] }).json({ a: 1, b: 2 })).toEqual({ a: 1, b: MASK });
  });
});

describe("diffText", () => {
  const redactor = createRedactor({ jsonPaths: ["$.card.number", "$..email"], headers: ["authorization"] });
  const secrets = ["4111111111111111", "4242424242424242", "ann@example.com", "bob@example.com"];

  it("masks one-line JSON bodies by path on both sides of the diff", () => {
    const diff = `@@ -1,1 +1,1 @@\n-{"card":{"number":"4111111111111111","expiry":"12/30"},"email":"ann@example.com"}\n+{"card":{"number":"4242424242424242","expiry":"12/30"},"email":"bob@example.com"}`;
    const masked = redactor.diffText(diff);
    for (const secret of secrets) expect(masked).not.toContain(secret);
    expect(masked).toContain(`-{"card":{"number":"${MASK}","expiry":"12/30"},"email":"${MASK}"}`);
    expect(masked.split("\n")[0]).toBe("@@ -1,1 +1,1 @@");
  });

  it("masks pretty-printed bodies by key, and whole blocks a path ends on", () => {
    const diff = [
      "@@ -1,9 +1,9 @@",
      " {",
      '   "card": {',
      '-    "number": "4111111111111111",',
      '+    "number": "4242424242424242",',
      '     "expiry": "12/30"',
      "   },",
      '-  "customer": { "email": "ann@example.com", "name": "Ann" }',
      '+  "customer": { "email": "bob@example.com", "name": "Ann" }',
      " }",
    ].join("\n");
    const masked = redactor.diffText(diff);
    for (const secret of secrets) expect(masked).not.toContain(secret);
    expect(masked).toContain('"expiry": "12/30"');
    expect(masked).toContain('"name": "Ann"');
    const whole = createRedactor({ jsonPaths: ["$.card"], headers: [] }).diffText(diff);
    expect(whole).not.toContain("4111111111111111");
    expect(whole).not.toContain("12/30");
    expect(whole).toContain('"name": "Ann"');
  });

  it("masks every line when a path names no key, and nothing without paths", () => {
    const diff = "@@ -1,1 +1,1 @@\n-[1,2]\n+[1,3]";
    expect(createRedactor({ jsonPaths: ["$[0]"], headers: [] }).diffText(diff)).toBe(`@@ -1,1 +1,1 @@\n-${MASK}\n+${MASK}`);
    expect(createRedactor({ jsonPaths: [], headers: [] }).diffText(diff)).toBe(diff);
  });
});
