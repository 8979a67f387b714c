// Edit-and-resend validation (rule 8): an edit is checked before anything is sent, and refused
// with the exact error. The diff recorded in the audit log comes from here too.
import { structuredPatch } from "diff";
import type { PropertyValue } from "@/lib/brokers/types";

export interface EditedMessage {
  readonly body: Uint8Array;
  readonly contentType: string | null;
  readonly properties: Readonly<Record<string, PropertyValue>>;
}

export type EditCheck = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** True for application/json and any +json media type. */
export function isJsonContentType(contentType: string | null): boolean {
  return !!contentType && /^application\/([\w.-]+\+)?json\b/i.test(contentType.trim());
}

function jsonError(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The bytes an edit would send, counted the way brokers bound a message: body plus property names and values. */
export function messageSize(message: EditedMessage): number {
  const encoder = new TextEncoder();
  const propertyBytes = Object.entries(message.properties).reduce((sum, [key, value]) => {
    const size = value instanceof Uint8Array ? value.byteLength : encoder.encode(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "").byteLength;
    return sum + encoder.encode(key).byteLength + size;
  }, 0);
  return message.body.byteLength + propertyBytes;
}

/** Check an edited message against its content type and the broker's size limit. */
export function checkEdit(message: EditedMessage, maxMessageBytes: number): EditCheck {
  if (isJsonContentType(message.contentType)) {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(message.body);
    } catch {
      return { ok: false, error: "the body is not valid UTF-8, so it cannot be JSON" };
    }
    const error = jsonError(text);
    if (error) return { ok: false, error: `the body is not valid JSON (${message.contentType}): ${error}` };
  }
  const size = messageSize(message);
  if (size > maxMessageBytes) {
    return { ok: false, error: `the message is ${size} bytes with its properties; this broker accepts at most ${maxMessageBytes}` };
  }
  return { ok: true };
}

/** A unified diff of two texts, for the audit log and the confirmation dialog; "" when equal. */
export function textDiff(before: string, after: string, label = "body"): string {
  if (before === after) return "";
  const patch = structuredPatch(label, label, before, after, "before", "after", { context: 2 });
  return patch.hunks
    // "\ No newline at end of file" markers are noise for payloads.
    .map((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines.filter((line) => !line.startsWith("\\"))].join("\n"))
    .join("\n");
}

export interface PropertyChange {
  readonly name: string;
  readonly before: PropertyValue | undefined;
  readonly after: PropertyValue | undefined;
}

/** Properties added, removed or changed, by name. */
export function propertyChanges(before: Readonly<Record<string, PropertyValue>>, after: Readonly<Record<string, PropertyValue>>): PropertyChange[] {
  const same = (a: PropertyValue | undefined, b: PropertyValue | undefined) =>
    JSON.stringify(a, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) === JSON.stringify(b, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .sort()
    .filter((name) => !same(before[name], after[name]))
    .map((name) => ({ name, before: before[name], after: after[name] }));
}
