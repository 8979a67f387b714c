// Failure fingerprints: "3,000 dead letters" should read as "2 distinct failures". Reason and
// description are normalised (ids, numbers, GUIDs, hex, quoted values, timestamps replaced) so
// messages that failed the same way share one fingerprint.
import { createHash } from "node:crypto";

const NORMALISERS: ReadonlyArray<readonly [RegExp, string]> = [
  // ISO timestamps before numbers, or they would split into several placeholders.
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b/g, "<time>"],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<guid>"],
  [/\b0x[0-9a-f]+\b/gi, "<hex>"],
  [/\b[0-9a-f]{16,}\b/gi, "<hex>"],
  [/\b(?=[a-z0-9_-]*\d)[a-z0-9_-]{12,}\b/gi, "<id>"],
  [/"[^"]*"|'[^']*'/g, "<str>"],
  // A number with a unit ("after 3500ms", "12.5s", "3x") keeps the unit: the unit is part of the failure.
  [/[-+]?\b\d+(?:\.\d+)?(ms|us|ns|s|m|h|d|kb|mb|gb|b|x)?(?!\w)/gi, "<n>$1"],
  [/\s+/g, " "],
];

/** The failure text with ids, numbers, GUIDs and quoted values replaced by placeholders. */
export function normaliseFailure(text: string): string {
  return NORMALISERS.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text).trim();
}

export interface Fingerprint {
  /** Short stable hash, usable in URLs. */
  readonly id: string;
  /** The normalised reason and description, for display as the group's name. */
  readonly label: string;
}

/** The fingerprint of a failure reason and description. */
export function fingerprintOf(reason: string | null, description: string | null): Fingerprint {
  const label = [reason, description]
    .filter((part): part is string => !!part && part.trim().length > 0)
    .map(normaliseFailure)
    .join(": ") || "(no reason recorded)";
  const id = createHash("sha256").update(label).digest("hex").slice(0, 12);
  return { id, label };
}
