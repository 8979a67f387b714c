// Payload redaction: configured JSON paths (REDACT_JSON_PATHS) and property/header names
// (REDACT_HEADERS) masked wherever payload content reaches a role without `reader`, and in
// every export whatever the role. Pure: the caller passes the configured lists.
import { roleIncludes, type Role } from "./roles";

/** What a masked value is replaced by. */
export const MASK = "***";

/** One step of a JSON path: a key, an index, any child (`*`), or a key at any depth (`..key`). */
type Step = { kind: "key"; key: string } | { kind: "index"; index: number } | { kind: "any" } | { kind: "deep"; key: string | null };

/**
 * Parse the supported JSONPath subset: `$.a.b`, `$['a b']`, `$.list[0]`, `$.list[*].x`, `$.*`,
 * `$..email`. A bare name (`email`) means `$..email`: that key at any depth.
 */
export function parseJsonPath(path: string): Step[] {
  const text = path.trim();
  if (!text.startsWith("$")) {
    if (!/^[^.[\]$]+$/.test(text)) throw new Error(`not a JSON path: ${path}`);
    return [{ kind: "deep", key: text }];
  }
  const steps: Step[] = [];
  const pattern = /\.\.([^.[\]]+|\*)|\.([^.[\]]+)|\[(\d+)\]|\[\*\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < text.length) {
    const at = pattern.lastIndex;
    const match = pattern.exec(text);
    if (!match) throw new Error(`not a JSON path: ${path} (at ${at})`);
    const [, deep, key, index, single, double] = match;
    if (deep !== undefined) steps.push({ kind: "deep", key: deep === "*" ? null : deep });
    else if (key !== undefined) steps.push(key === "*" ? { kind: "any" } : { kind: "key", key });
    else if (index !== undefined) steps.push({ kind: "index", index: Number(index) });
    else if (single !== undefined || double !== undefined) steps.push({ kind: "key", key: (single ?? double)!.replace(/\\(.)/g, "$1") });
    else steps.push({ kind: "any" });
  }
  if (steps.length === 0) throw new Error(`a JSON path must name something below $: ${path}`);
  return steps;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Copy `value` with every match of `steps` replaced by MASK. */
function maskPath(value: Json, steps: readonly Step[]): Json {
  if (steps.length === 0) return MASK;
  const [step, ...rest] = steps as [Step, ...Step[]];
  const rebuild = (map: (key: string | number, child: Json) => Json): Json => {
    if (Array.isArray(value)) return value.map((child, index) => map(index, child));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, map(key, child)]));
    return value;
  };
  switch (step.kind) {
    case "key":
      return rebuild((key, child) => (key === step.key && !Array.isArray(value) ? maskPath(child, rest) : child));
    case "index":
      return rebuild((key, child) => (key === step.index ? maskPath(child, rest) : child));
    case "any":
      return rebuild((_key, child) => maskPath(child, rest));
    case "deep": {
      // `..key`: the key here (then the rest below it), and the same search in every child.
      return rebuild((key, child) => {
        const searched = maskPath(child, steps);
        return step.key === null || (key === step.key && !Array.isArray(value)) ? maskPath(searched, rest) : searched;
      });
    }
  }
}

/** A redactor built once from the configured lists. */
export interface Redactor {
  /** The JSON value with every configured path masked. */
  json(value: unknown): unknown;
  /** Payload text: JSON gets its paths masked; other text is returned as is (see `text` of redactPayload). */
  jsonText(text: string): string | null;
  /** Properties/headers with configured names (case-insensitive) masked (top level; callers recurse into maps). */
  properties<T>(properties: Readonly<Record<string, T>>, mask: (value: T) => T): Record<string, T>;
  /** True when this property/header name is one REDACT_HEADERS masks. */
  isRedactedHeader(name: string): boolean;
  /** A unified diff of payload text (the audit log's edit diffs) with the configured paths masked line by line. */
  diffText(diff: string): string;
}

/** The key whose whole value a path masks, for text that cannot be parsed as one document; null: the path names no key. */
function maskedKeyOf(steps: readonly Step[]): string | null {
  for (let index = steps.length - 1; index >= 0; index--) {
    const step = steps[index]!;
    if (step.kind === "key") return step.key;
    if (step.kind === "deep" && step.key !== null) return step.key;
  }
  return null;
}

const BRACKETS = /"(?:[^"\\]|\\.)*"|[{[]|[}\]]/g;

/** Net bracket depth of a line of JSON text, ignoring brackets inside strings. */
function bracketDelta(text: string): number {
  let depth = 0;
  for (const match of text.matchAll(BRACKETS)) {
    if (match[0] === "{" || match[0] === "[") depth++;
    else if (match[0] === "}" || match[0] === "]") depth--;
  }
  return depth;
}

/** Where the bracket opening `text` closes (the index after it), or -1 when it does not close in `text`. */
function closingEnd(text: string): number {
  let depth = 0;
  for (const match of text.matchAll(BRACKETS)) {
    if (match[0] === "{" || match[0] === "[") depth++;
    else if (match[0] === "}" || match[0] === "]") depth--;
    if (depth === 0 && match[0].length === 1) return match.index + 1;
  }
  return -1;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Mask a unified diff of JSON text. A line that is a whole JSON document (one-line bodies) is
 * masked by path; otherwise a masked key's scalar value is replaced where it appears, and a value
 * that opens an object or array is masked down to its closing line, on each side of the diff.
 * Keys are matched by name wherever they occur: in an export, masking too much is the safe side.
 * A path that names no key (`$[0]`, `$.*`) masks every line.
 */
function maskDiff(diff: string, paths: readonly (readonly Step[])[], json: (value: unknown) => unknown): string {
  if (paths.length === 0) return diff;
  const keys = paths.map(maskedKeyOf);
  if (keys.includes(null)) return diff.split("\n").map((line) => (line.startsWith("@@") ? line : `${line.slice(0, 1)}${MASK}`)).join("\n");
  const keyPattern = `"(?:${(keys as string[]).map(escapeRegExp).join("|")})"\\s*:\\s*`;
  const scalar = new RegExp(`(${keyPattern})("(?:[^"\\\\]|\\\\.)*"|-?\\d[\\d.eE+-]*|true|false|null)`, "g");
  const opener = new RegExp(`(${keyPattern})[{[]`);
  // Depth still to close of a masked block, per side: old (" " and "-") and new (" " and "+").
  const open = { old: 0, new: 0 };
  return diff
    .split("\n")
    .map((line) => {
      if (line.startsWith("@@")) {
        open.old = open.new = 0;
        return line;
      }
      const prefix = line.slice(0, 1);
      const content = line.slice(1);
      const sides = prefix === "-" ? (["old"] as const) : prefix === "+" ? (["new"] as const) : (["old", "new"] as const);
      if (sides.some((side) => open[side] > 0)) {
        const delta = bracketDelta(content);
        for (const side of sides) open[side] = Math.max(0, open[side] + delta);
        return `${prefix}${content.match(/^\s*/)![0]}${MASK}`;
      }
      const trimmed = content.trim();
      if (/^[{[]/.test(trimmed)) {
        try {
          return `${prefix}${JSON.stringify(json(JSON.parse(trimmed)))}`;
        } catch {
          // Not a whole document on one line: mask by key below.
        }
      }
      let masked = content.replace(scalar, (_match, key: string) => `${key}"${MASK}"`);
      for (let block = opener.exec(masked); block; block = opener.exec(masked)) {
        const start = block.index + block[1]!.length;
        const after = masked.slice(start);
        const end = closingEnd(after);
        if (end === -1) {
          masked = `${masked.slice(0, start)}"${MASK}"`;
          for (const side of sides) open[side] = Math.max(1, bracketDelta(after));
          break;
        }
        masked = `${masked.slice(0, start)}"${MASK}"${after.slice(end)}`;
      }
      return `${prefix}${masked}`;
    })
    .join("\n");
}

/** Build a redactor; throws naming the path that does not parse. */
export function createRedactor(options: { readonly jsonPaths: readonly string[]; readonly headers: readonly string[] }): Redactor {
  const paths = options.jsonPaths.map(parseJsonPath);
  const headerNames = new Set(options.headers.map((name) => name.toLowerCase()));
  const json = (value: unknown): unknown => paths.reduce<Json>((current, steps) => maskPath(current, steps), value as Json);
  return {
    json,
    jsonText(text) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return null; // not JSON: the caller decides (hide it, for a role that may not read payloads)
      }
      return JSON.stringify(json(parsed));
    },
    properties(properties, mask) {
      return Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, headerNames.has(name.toLowerCase()) ? mask(value) : value]));
    },
    isRedactedHeader: (name) => headerNames.has(name.toLowerCase()),
    diffText: (diff) => maskDiff(diff, paths, json),
  };
}

/** True when the role may read payloads unredacted (outside exports). */
export function seesFullPayloads(role: Role | null): boolean {
  return role !== null && roleIncludes(role, "reader");
}

/**
 * The payload text a role may see: in full for readers (unless `forExport`), else with the JSON
 * paths masked, and nothing at all for text that is not JSON (it cannot be redacted field-wise).
 */
export function redactPayloadText(text: string | null, role: Role | null, redactor: Redactor, options: { forExport?: boolean } = {}): string | null {
  if (text === null) return null;
  if (seesFullPayloads(role) && !options.forExport) return text;
  return redactor.jsonText(text);
}

let configured: { key: string; redactor: Redactor } | null = null;

/** The redactor for the configured REDACT_JSON_PATHS / REDACT_HEADERS (built once per distinct config). */
export function redactorFor(redaction: { readonly jsonPaths: readonly string[]; readonly headers: readonly string[] }): Redactor {
  const key = JSON.stringify(redaction);
  if (configured?.key !== key) configured = { key, redactor: createRedactor(redaction) };
  return configured.redactor;
}
