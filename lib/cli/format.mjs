// @ts-check
// Text output of the CLI. Everything from a broker (queue names, reasons, payloads, headers) is
// hostile input (rule 8): on a terminal that means control characters, so every such string goes
// through `safe()` before it is printed. The plan reads as the UI's plan does
// (components/jobs/plan-summary.tsx and the bulk replay dialog), in the same words.

const countFormat = new Intl.NumberFormat("en-US");

/** 12345 → "12,345" (as lib/client/format.ts). */
export function formatCount(/** @type {number} */ value) {
  return countFormat.format(value);
}

/** Seconds → "42 s", "5 min", "3 h", "2 d" (as lib/client/format.ts). */
export function formatDuration(/** @type {number} */ seconds) {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3_600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** An ISO time as "2026-12-01 21:05:33Z" (UTC: pipelines and on-call people in other zones read the same). */
export function formatTime(/** @type {string | null | undefined} */ iso) {
  if (!iso) return "-";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return safe(iso);
  return `${date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z")}`;
}

/** How long ago an ISO time was, as formatDuration. */
export function formatAge(/** @type {string | null | undefined} */ iso, now = Date.now()) {
  if (!iso) return "-";
  const at = new Date(iso).getTime();
  return Number.isNaN(at) ? "-" : formatDuration(Math.max(0, (now - at) / 1000));
}

// C0 controls except tab and newline, DEL, C1 controls, and the bidi overrides that reorder text.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_INLINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const escapeChar = (/** @type {string} */ char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Text safe to print: control characters (ANSI escapes, carriage returns, bidi overrides) shown as \uXXXX. */
export function safe(/** @type {unknown} */ value, { multiline = false } = {}) {
  const text = value === null || value === undefined ? "" : String(value);
  return text.replace(multiline ? UNSAFE : UNSAFE_INLINE, escapeChar);
}

/**
 * Columns padded to their widest cell; the last column is not padded.
 * @param {readonly string[]} header
 * @param {readonly (readonly string[])[]} rows cells already `safe()`
 * @param {{ right?: readonly number[] }} [options] column indexes aligned right (numbers)
 */
export function table(header, rows, options = {}) {
  const right = new Set(options.right ?? []);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (/** @type {readonly string[]} */ cells) =>
    cells
      .map((cell, column) => (column === cells.length - 1 && !right.has(column) ? cell : right.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** @param {{ status: string, phase: string }} job */
export function jobStatusText(job) {
  return job.status === "running" && job.phase !== "main" ? `${job.status} · ${job.phase}` : job.status;
}

/**
 * The plan of a bulk replay job, in the words the UI's plan uses.
 * @param {any} job a job as POST …/bulk-replays returns it
 */
export function formatPlan(job) {
  const { summary, settings } = job;
  const lines = [`Bulk replay plan (dry run) ${safe(job.id)} on ${safe(job.broker)} / ${safe(job.queueId)}`, ""];
  let headline = `${formatCount(summary.total)} messages frozen in the plan`;
  if (summary.partitionKeys > 0) headline += ` · ${formatCount(summary.partitionKeys)} partition keys, each replayed in order`;
  if (summary.missingAtPlan > 0) headline += ` · ${formatCount(summary.missingAtPlan)} selected messages were already gone`;
  if ((summary.unreadAtPlan ?? 0) > 0) headline += ` · ${formatCount(summary.unreadAtPlan)} could not be read yet (behind their FIFO group's head): they go by id, in one lane`;
  lines.push(`${headline}. Messages that arrive later are not part of it.`);
  if (summary.missingExamples?.length > 0) lines.push(`Already gone, e.g.: ${summary.missingExamples.map(safe).join(", ")}`);
  if (summary.blocked) lines.push(`Cannot run: ${safe(summary.blocked)}`);

  const counted = (/** @type {string} */ title, /** @type {{ label: string, count: number }[]} */ entries, /** @type {string} */ more) => {
    lines.push("", title);
    const shown = entries.slice(0, 10);
    const width = Math.max(0, ...shown.map((entry) => safe(entry.label).length));
    for (const entry of shown) lines.push(`  ${safe(entry.label).padEnd(width)}  ${formatCount(entry.count).padStart(7)}`);
    if (entries.length > shown.length) lines.push(`  … ${formatCount(entries.length - shown.length)} more ${more} (--json lists all)`);
  };
  counted("By failure group", summary.byGroup.map((/** @type {any} */ group) => ({ label: `${group.label} [${group.id}]`, count: group.count })), "groups");
  counted(
    "By destination",
    summary.byDestination.map((/** @type {any} */ destination) => ({ label: destination.sendTo ?? "(unknown source)", count: destination.count })),
    "destinations",
  );

  for (const route of summary.routes) {
    lines.push("");
    const receivers = route.receivers.length > 0 ? ` → received by ${route.receivers.map((/** @type {any} */ receiver) => safe(receiver.name)).join(", ")}` : "";
    lines.push(`Sent to ${safe(route.sendTo.name)}${receivers}`);
    for (const change of route.changes) lines.push(`  - ${safe(change)}`);
    if (route.blocked) lines.push(`  ${safe(route.blocked)}`);
  }

  lines.push("");
  const canary =
    settings.canarySize > 0
      ? `The first ${settings.canarySize} go first; the rest follow only if none comes back to the DLQ within ${Math.round(settings.canaryWindowMs / 1000)} s. `
      : "No canary. ";
  lines.push(
    `${canary}At most ${settings.ratePerSecond} messages per second; pauses by itself above ${Math.round(settings.returnThreshold * 100)}% coming back or ${Math.round(settings.failureThreshold * 100)}% failing.`,
  );
  return lines.join("\n");
}

/**
 * One line of a job's progress: done / failed / skipped / remaining, rate, ETA (as the UI's job progress).
 * @param {any} job
 */
export function progressLine(job) {
  const { counts } = job;
  const parts = [
    `${formatCount(counts.done)} done`,
    `${formatCount(counts.failed)} failed`,
    `${formatCount(counts.skipped)} skipped`,
    `${formatCount(counts.remaining)} remaining of ${formatCount(counts.total)}`,
  ];
  if (counts.returned > 0) parts.push(`${formatCount(counts.returned)} came back to the DLQ`);
  const rate = job.currentRate ?? (job.status === "running" ? job.settings.ratePerSecond : null);
  parts.push(rate !== null ? `${formatCount(rate)} msg/s` : `limit ${formatCount(job.settings.ratePerSecond)} msg/s`);
  if (job.etaSeconds !== null && job.status === "running") parts.push(`ETA ${formatDuration(job.etaSeconds)}`);
  return `${jobStatusText(job)}: ${parts.join(" · ")}`;
}

/**
 * A progress bar for a terminal: done █, failed ✗, skipped ░, remaining ·, then progressLine.
 * @param {any} job
 * @param {number} width characters of the bar
 */
export function progressBar(job, width = 30) {
  const { counts } = job;
  const total = Math.max(1, counts.total);
  const cells = (/** @type {number} */ value) => Math.round((value / total) * width);
  const done = cells(counts.done);
  const failed = Math.min(width - done, cells(counts.failed));
  const skipped = Math.min(width - done - failed, cells(counts.skipped));
  const bar = "█".repeat(done) + "✗".repeat(failed) + "░".repeat(skipped) + "·".repeat(Math.max(0, width - done - failed - skipped));
  return `[${bar}] ${progressLine(job)}`;
}

/**
 * A JSON text re-indented without parsing its numbers, so 12345678901234567890 prints as written.
 * Returns null when the text is not JSON.
 */
export function prettyJson(/** @type {string} */ text) {
  try {
    JSON.parse(text);
  } catch {
    return null;
  }
  let out = "";
  let depth = 0;
  let inString = false;
  let escaped = false;
  const newline = () => `\n${"  ".repeat(depth)}`;
  for (let index = 0; index < text.length; index++) {
    const char = /** @type {string} */ (text[index]);
    if (inString) {
      out += char;
      if (escaped) escaped = false;
      else if (char === "\\") escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === " " || char === "\n" || char === "\r" || char === "\t") continue;
    if (char === '"') {
      inString = true;
      out += char;
    } else if (char === "{" || char === "[") {
      const close = char === "{" ? "}" : "]";
      let next = index + 1;
      while (/\s/.test(text[next] ?? "")) next++;
      if (text[next] === close) {
        out += char + close;
        index = next;
      } else {
        depth++;
        out += char + newline();
      }
    } else if (char === "}" || char === "]") {
      depth--;
      out += newline() + char;
    } else if (char === ",") out += char + newline();
    else if (char === ":") out += ": ";
    else out += char;
  }
  return out;
}

/** A hex dump: offset, 16 bytes, their printable ASCII. */
export function hexDump(/** @type {Uint8Array} */ bytes) {
  const lines = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16);
    const hex = [...row].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
    const ascii = [...row].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".")).join("");
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join("\n");
}

/**
 * A header / property value as the API types it (lib/api/schemas/messages.ts PropertyDto).
 * @param {any} value
 * @returns {string}
 */
export function propertyText(value) {
  switch (value?.type) {
    case "string":
      return JSON.stringify(value.value);
    case "number":
    case "boolean":
      return String(value.value);
    case "bigint":
      return `${value.value}n`;
    case "null":
      return "null";
    case "date":
      return formatTime(value.value);
    case "binary":
      return `(binary, ${formatCount(value.size)} bytes) ${value.base64}`;
    case "list":
      return `[${value.items.map(propertyText).join(", ")}]`;
    case "map":
      return `{${Object.entries(value.entries)
        .map(([key, item]) => `${JSON.stringify(key)}: ${propertyText(item)}`)
        .join(", ")}}`;
    default:
      return JSON.stringify(value);
  }
}

/**
 * One message in full: facts, failure, attempt history, properties, payload.
 * @param {any} response GET …/messages/:id
 */
export function formatMessage(response) {
  const { message } = response;
  const lines = [`Message ${safe(message.id)} in ${safe(response.broker.name)} / ${safe(response.queueId)}`];
  const fact = (/** @type {string} */ label, /** @type {string | null} */ value) => value !== null && value !== "" && lines.push(`  ${label.padEnd(15)}${value}`);
  fact("message id", message.messageId === null ? null : safe(message.messageId));
  fact("content type", `${safe(message.contentType ?? "(none)")}${message.contentEncoding ? `; ${safe(message.contentEncoding)}` : ""} · ${formatCount(message.size)} bytes`);
  fact("source", message.source ? `${safe(message.source.name)} (replays go here)` : "(unknown)");
  fact("partition key", message.partitionKey === null ? null : safe(message.partitionKey));
  fact("enqueued", formatTime(message.enqueuedAt));
  fact("dead-lettered", formatTime(message.deadLetteredAt));
  fact("group", `${safe(message.fingerprint.label)} [${safe(message.fingerprint.id)}]`);

  lines.push("", "Failure");
  lines.push(`  reason         ${safe(message.reason ?? "(none given)")}`);
  if (message.description) lines.push(`  description    ${safe(message.description)}`);
  const { count, cap } = message.attempts;
  lines.push(`  attempts       ${count === null ? "?" : count}${cap === null ? "" : ` of ${cap}`}`);

  lines.push("", "Attempt history");
  if (message.history.length === 0) lines.push("  (none recorded)");
  for (const event of message.history) {
    const parts = [formatTime(event.at).padEnd(21), event.kind.padEnd(13)];
    if (event.queue) parts.push(safe(event.queue));
    if (event.reason) parts.push(safe(event.reason));
    if (event.count !== null) parts.push(`×${event.count}`);
    if (event.detail) parts.push(`(${safe(event.detail)})`);
    lines.push(`  ${parts.join(" ").trimEnd()}`);
  }

  for (const [title, properties] of /** @type {const} */ ([
    ["Properties", message.properties],
    ["Broker properties", message.systemProperties],
  ])) {
    const entries = Object.entries(properties);
    if (entries.length === 0) continue;
    lines.push("", title);
    for (const [key, value] of entries) lines.push(`  ${safe(key)}: ${safe(propertyText(value))}`);
  }

  lines.push("", `Payload${message.body.redacted ? " (redacted for the token's role)" : ""}${message.body.truncated ? ` (the first ${formatCount(Buffer.from(message.body.base64, "base64").length)} of ${formatCount(message.size)} bytes)` : ""}`);
  if (message.body.redacted && message.body.text === null) lines.push("(withheld: the token's role does not read payloads)");
  else if (message.body.text !== null) lines.push(safe(prettyJson(message.body.text) ?? message.body.text, { multiline: true }));
  else lines.push(hexDump(Buffer.from(message.body.base64, "base64")));
  return lines.join("\n");
}

/** @param {any} summary a message summary (live page or index) */
export function messageRow(summary, now = Date.now()) {
  const attempts = summary.attempts.count === null ? "?" : `${summary.attempts.count}${summary.attempts.cap === null ? "" : `/${summary.attempts.cap}`}`;
  return [safe(summary.id), formatAge(summary.deadLetteredAt ?? summary.enqueuedAt, now), attempts, safe(summary.fingerprint.id), safe(summary.reason ?? summary.description ?? "")];
}

export const MESSAGE_HEADER = ["ID", "AGE", "ATTEMPTS", "GROUP", "REASON"];
