// The queue view's rows: filtered by text, reason and failure group, and the groups with counts.
import type { MessageSummaryDto } from "@/lib/api/schemas/messages";

export interface MessageFilter {
  readonly text: string;
  /** Fingerprint id of the failure group to show, or null for all. */
  readonly group: string | null;
}

export interface FailureGroup {
  readonly id: string;
  readonly label: string;
  readonly count: number;
  /** The id of one message in the group, to open as an example. */
  readonly exampleId: string;
}

export const DEFAULT_MESSAGE_FILTER: MessageFilter = { text: "", group: null };

function matchesText(message: MessageSummaryDto, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const haystack = [message.id, message.messageId, message.reason, message.description, message.partitionKey, message.source?.name, message.preview]
    .filter(Boolean)
    .join("\n")
    .toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** Messages matching the filter, in queue order. */
export function filterMessages(messages: readonly MessageSummaryDto[], filter: MessageFilter): MessageSummaryDto[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return messages.filter((message) => (!filter.group || message.fingerprint.id === filter.group) && matchesText(message, words));
}

/** Distinct failures, largest first. */
export function failureGroups(messages: readonly MessageSummaryDto[]): FailureGroup[] {
  const groups = new Map<string, { label: string; count: number; exampleId: string }>();
  for (const message of messages) {
    const group = groups.get(message.fingerprint.id);
    if (group) group.count++;
    else groups.set(message.fingerprint.id, { label: message.fingerprint.label, count: 1, exampleId: message.id });
  }
  return [...groups.entries()]
    .map(([id, group]) => ({ id, ...group }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}
