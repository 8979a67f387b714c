import "server-only";
// Rule 9: no configured secret leaves the server, even inside a broker's error text. And payload
// redaction as one response applies it: who sees payloads in full, who through the redactor.
import { MASK, redactorFor, seesFullPayloads } from "@/lib/auth/redaction";
import type { Role } from "@/lib/auth/roles";
import { configSecrets, getConfig } from "@/lib/config";
import type { JobSelection } from "@/lib/operations/bulk/model";
import type { PayloadView } from "./serialize-message";

let secrets: string[] | null = null;

/** The text with every configured secret replaced by "***". */
export function redactSecrets(text: string, known: readonly string[] = (secrets ??= configSecrets(getConfig()))): string {
  // Longest first, so a URL that contains a password is replaced whole.
  return [...known].sort((a, b) => b.length - a.length).reduce((result, secret) => result.split(secret).join("***"), text);
}


/** Payloads in full. */
export const FULL_PAYLOADS: PayloadView = { full: true };

/**
 * The payload view of a role: readers and above in full; anyone else, and every export whatever
 * the role, with REDACT_JSON_PATHS / REDACT_HEADERS masked.
 */
export function payloadViewFor(role: Role | null, options: { forExport?: boolean } = {}): PayloadView {
  if (seesFullPayloads(role) && !options.forExport) return FULL_PAYLOADS;
  return { full: false, redactor: redactorFor(getConfig().redaction) };
}

/** A bulk replay job as a role without reader sees it: a filter's search text masked, since it can quote a payload. */
export function jobForViewer<T extends { readonly selection: JobSelection }>(job: T, seesPayloads: boolean): T {
  if (seesPayloads || job.selection.kind !== "filter" || job.selection.text === "") return job;
  return { ...job, selection: { ...job.selection, text: MASK } };
}
