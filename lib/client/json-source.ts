// JSON payloads read exactly as written. JSON.parse rounds numbers past 2^53 (an order id of
// 12345678901234567890 would show as ...7000), drops duplicate keys and lets a "__proto__" key
// touch the prototype; an on-call engineer must see what the message holds, so payloads are parsed
// into a tree that keeps each number's source text, every key in order, and nothing on prototypes.

export type JsonNode =
  | { readonly t: "null" }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "num"; readonly src: string }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "arr"; readonly items: readonly JsonNode[] }
  | { readonly t: "obj"; readonly entries: readonly (readonly [string, JsonNode])[] };

/** Deeper payloads are shown as text: the tree would only be a wall of brackets. */
export const MAX_JSON_DEPTH = 200;

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  private skip(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.exec(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  private token(pattern: RegExp): string | null {
    pattern.lastIndex = this.at;
    const match = pattern.exec(this.text);
    if (!match) return null;
    this.at = pattern.lastIndex;
    return match[0];
  }

  private fail(): never {
    throw new SyntaxError(`invalid JSON at ${this.at}`);
  }

  private expect(char: string): void {
    this.skip();
    if (this.text[this.at] !== char) this.fail();
    this.at++;
  }

  value(depth: number): JsonNode {
    if (depth > MAX_JSON_DEPTH) throw new RangeError("JSON nested too deeply to show as a tree");
    this.skip();
    const char = this.text[this.at];
    if (char === "{") return this.object(depth);
    if (char === "[") return this.array(depth);
    if (char === '"') return { t: "str", v: JSON.parse(this.token(STRING) ?? this.fail()) as string };
    for (const [word, node] of [["true", { t: "bool", v: true }], ["false", { t: "bool", v: false }], ["null", { t: "null" }]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return node;
      }
    }
    return { t: "num", src: this.token(NUMBER) ?? this.fail() };
  }

  private array(depth: number): JsonNode {
    this.at++;
    const items: JsonNode[] = [];
    this.skip();
    if (this.text[this.at] === "]") {
      this.at++;
      return { t: "arr", items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skip();
      if (this.text[this.at] === "]") break;
      this.expect(",");
    }
    this.at++;
    return { t: "arr", items };
  }

  private object(depth: number): JsonNode {
    this.at++;
    const entries: [string, JsonNode][] = [];
    this.skip();
    if (this.text[this.at] === "}") {
      this.at++;
      return { t: "obj", entries };
    }
    for (;;) {
      this.skip();
      const key = JSON.parse(this.token(STRING) ?? this.fail()) as string;
      this.expect(":");
      entries.push([key, this.value(depth + 1)]);
      this.skip();
      if (this.text[this.at] === "}") break;
      this.expect(",");
    }
    this.at++;
    return { t: "obj", entries };
  }

  end(): void {
    this.skip();
    if (this.at !== this.text.length) this.fail();
  }
}

/** The JSON tree of a payload, or null when the text is not JSON (or too deep to show as one). */
export function parseJson(text: string | null): JsonNode | null {
  if (text === null) return null;
  const trimmed = text.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[") && !trimmed.startsWith('"')) return null;
  try {
    const parser = new Parser(trimmed);
    const node = parser.value(0);
    parser.end();
    return node;
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof RangeError) return null; // shown as text instead
    throw error;
  }
}

/** A scalar as the tree shows it (a string without quotes or escapes); "" for containers. */
export function scalarText(node: JsonNode): string {
  switch (node.t) {
    case "null":
      return "null";
    case "bool":
      return String(node.v);
    case "num":
      return node.src;
    case "str":
      return node.v;
    default:
      return "";
  }
}

/** The tree as indented JSON text, numbers exactly as they were written. */
export function formatJson(node: JsonNode, indent = ""): string {
  const inner = `${indent}  `;
  switch (node.t) {
    case "null":
    case "bool":
    case "num":
      return scalarText(node);
    case "str":
      return JSON.stringify(node.v);
    case "arr":
      return node.items.length === 0 ? "[]" : `[\n${node.items.map((item) => inner + formatJson(item, inner)).join(",\n")}\n${indent}]`;
    case "obj":
      return node.entries.length === 0
        ? "{}"
        : `{\n${node.entries.map(([key, value]) => `${inner}${JSON.stringify(key)}: ${formatJson(value, inner)}`).join(",\n")}\n${indent}}`;
  }
}
