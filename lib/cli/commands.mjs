// @ts-check
// What each `dlq` command does, on the console's own /api/v1 routes (the ones the UI uses):
// queues, messages, show, replay (a bulk replay plan, its start and its progress), job, purge, audit.
import { randomUUID } from "node:crypto";
import { backoffMs, queueApiPath } from "./client.mjs";
import { CliError, EXIT } from "./errors.mjs";
import {
  formatAge,
  formatCount,
  formatMessage,
  formatPlan,
  formatTime,
  jobStatusText,
  MESSAGE_HEADER,
  messageRow,
  progressBar,
  progressLine,
  safe,
  table,
} from "./format.mjs";
import { queueLabel, resolveQueue } from "./queues.mjs";

/**
 * @typedef {import("./client.mjs").ConsoleClient} ConsoleClient
 * @typedef {object} Context
 * @property {ConsoleClient} client
 * @property {boolean} json `--json`: one JSON document on stdout
 * @property {(text: string) => void} print a line on stdout
 * @property {(text: string) => void} note a line on stderr
 * @property {{ isTTY: boolean, write(text: string): void, columns?: number }} progress where progress goes (stderr)
 * @property {(ms: number) => Promise<void>} sleep
 * @property {number} pollMs between two reads of a job
 * @property {number} outageMs how long `--wait` keeps trying an unreachable console
 * @property {(bytes: Uint8Array) => void} writeRaw
 * @typedef {Record<string, string | boolean | undefined>} Options
 */

const encode = encodeURIComponent;
const str = (/** @type {unknown} */ value) => (typeof value === "string" ? value : undefined);

/** A positive integer option, or a usage error naming it. */
export function positiveInt(/** @type {unknown} */ value, /** @type {string} */ name, { max = Number.MAX_SAFE_INTEGER, min = 1 } = {}) {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new CliError(EXIT.usage, `--${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return Number(text);
}

const SINCE_UNITS = /** @type {const} */ ({ s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 });

/** `--since 90m` / `1h` / `2d` / an ISO date or time → an ISO time. */
export function parseSince(/** @type {string} */ value, now = Date.now()) {
  const relative = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (relative) return new Date(now - Number(relative[1]) * SINCE_UNITS[/** @type {keyof typeof SINCE_UNITS} */ (relative[2])] * 1000).toISOString();
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) return at.toISOString();
  }
  throw new CliError(EXIT.usage, `--since takes a duration (30m, 1h, 2d, 1w) or an ISO date/time (2026-12-01, 2026-12-01T08:00:00Z), not "${value}"`);
}

/** @param {Context} ctx @param {unknown} value */
function printJson(ctx, value) {
  ctx.print(JSON.stringify(value, null, 2));
}

/** @param {Context} ctx */
async function overview(ctx) {
  return ctx.client.get("/api/v1/queues");
}

/** @param {Context} ctx @param {string} spec @param {Options} options */
async function queueOf(ctx, spec, options) {
  const { brokers } = await overview(ctx);
  return resolveQueue(brokers, spec, str(options.broker));
}

// ───────────────────────────── queues

/** `dlq queues`: every DLQ the token may see: broker, queue, depth, age of the oldest. */
export async function queuesCommand(/** @type {Context} */ ctx, /** @type {string[]} */ _args, /** @type {Options} */ options) {
  const body = await overview(ctx);
  const broker = str(options.broker);
  const brokers = broker ? body.brokers.filter((/** @type {any} */ candidate) => candidate.name === broker) : body.brokers;
  if (broker && brokers.length === 0) throw new CliError(EXIT.notFound, `no broker "${broker}"; the console has: ${body.brokers.map((/** @type {any} */ b) => b.name).join(", ")}`);
  if (ctx.json) return printJson(ctx, { ...body, brokers });
  const now = Date.now();
  const rows = brokers.flatMap((/** @type {any} */ entry) =>
    entry.queues.map((/** @type {any} */ queue) => [safe(entry.name), safe(queue.id), formatCount(queue.depth), formatAge(queue.oldestMessageAt, now), safe(queue.topFailure ? `${queue.topFailure.label} (${formatCount(queue.topFailure.count)})` : "")]),
  );
  ctx.print(rows.length > 0 ? table(["BROKER", "QUEUE", "DEPTH", "OLDEST", "TOP FAILURE"], rows, { right: [2] }) : "No dead-letter queues.");
  for (const entry of brokers) if (entry.status !== "ok") ctx.print(`! ${safe(entry.name)} is down: ${safe(entry.error?.message ?? "no answer")}`);
}

// ───────────────────────────── messages

/** Ask for a fresh index of the DLQ and wait for it (a refresh reads the whole DLQ). */
async function refreshIndex(/** @type {Context} */ ctx, /** @type {{ broker: string, queueId: string }} */ queue) {
  const path = queueApiPath(queue.broker, queue.queueId);
  await ctx.client.post(`${path}/index/refresh`, {});
  ctx.note(`Indexing ${queueLabel(queue)} …`);
  for (;;) {
    const page = await ctx.client.get(`${path}/index`, { limit: 1 });
    if (page.state.status === "failed") throw new CliError(EXIT.error, `indexing ${queueLabel(queue)} failed: ${page.state.error ?? "no reason given"}`);
    if (page.state.status !== "running") return page;
    await ctx.sleep(ctx.pollMs);
  }
}

/** @param {any} state the index state */
function indexNote(state) {
  return state.finishedAt ? `Index of ${formatCount(state.indexed)} messages, as of ${formatTime(state.finishedAt)}` : "This DLQ has not been indexed yet";
}

/** `dlq messages <queue>`: a live page from the broker, or with --filter/--group a search of the console's index. */
export async function messagesCommand(/** @type {Context} */ ctx, /** @type {string[]} */ [spec], /** @type {Options} */ options) {
  const queue = await queueOf(ctx, /** @type {string} */ (spec), options);
  const limit = positiveInt(options.limit, "limit", { max: 10_000 }) ?? 50;
  const path = queueApiPath(queue.broker, queue.queueId);
  const filter = str(options.filter);
  const group = str(options.group);
  const now = Date.now();
  if (filter !== undefined || group !== undefined || options["refresh-index"]) {
    if (options["refresh-index"]) await refreshIndex(ctx, queue);
    const page = await ctx.client.get(`${path}/index`, { text: filter ?? "", group, limit: Math.min(limit, 1000) });
    if (ctx.json) return printJson(ctx, page);
    if (!page.state.finishedAt) throw new CliError(EXIT.refused, `${queueLabel(queue)} has not been indexed yet, so it cannot be searched`, { hint: "add --refresh-index to read the whole DLQ into the index first" });
    ctx.print(`${indexNote(page.state)}; ${formatCount(page.total)} match.`);
    if (page.groups.length > 0) {
      ctx.print("");
      ctx.print(table(["GROUP", "COUNT", "FAILURE"], page.groups.map((/** @type {any} */ entry) => [safe(entry.id), formatCount(entry.count), safe(entry.label)]), { right: [1] }));
    }
    ctx.print("");
    ctx.print(page.messages.length > 0 ? table(MESSAGE_HEADER, page.messages.map((/** @type {any} */ message) => messageRow(message, now))) : "No messages match.");
    return;
  }
  // Live: page through the broker's own order until `limit`.
  /** @type {any[]} */
  const messages = [];
  /** @type {any} */
  let page = null;
  /** @type {string | null} */
  let cursor = null;
  const warnings = new Set();
  do {
    page = await ctx.client.get(`${path}/messages`, { limit: Math.min(500, limit - messages.length), cursor });
    messages.push(...page.messages);
    for (const warning of page.warnings) warnings.add(warning);
    cursor = page.nextCursor;
  } while (cursor && messages.length < limit);
  if (ctx.json) return printJson(ctx, { broker: page.broker, queueId: page.queueId, messages, nextCursor: cursor, warnings: [...warnings] });
  for (const warning of warnings) ctx.note(`note: ${safe(warning)}`);
  ctx.print(messages.length > 0 ? table(MESSAGE_HEADER, messages.map((message) => messageRow(message, now))) : `${queueLabel(queue)} is empty.`);
  if (cursor) ctx.print(`… more in the DLQ (--limit to read further)`);
}

// ───────────────────────────── show

/** `dlq show <queue> <id>`: one message: payload, failure reason, attempt history (the view is audited). */
export async function showCommand(/** @type {Context} */ ctx, /** @type {string[]} */ [spec, id], /** @type {Options} */ options) {
  const queue = await queueOf(ctx, /** @type {string} */ (spec), options);
  const body = await ctx.client.get(`${queueApiPath(queue.broker, queue.queueId)}/messages/${encode(/** @type {string} */ (id))}`);
  if (ctx.json) return printJson(ctx, body);
  if (options.raw) {
    if (body.message.body.truncated) ctx.note(`note: only the first bytes of ${formatCount(body.message.size)} are included`);
    return ctx.writeRaw(Buffer.from(body.message.body.base64, "base64"));
  }
  ctx.print(formatMessage(body));
}

// ───────────────────────────── replay and jobs

/** The selection of `dlq replay`, as the UI's bulk replay dialog builds it. */
export function selectionOf(/** @type {Options} */ options) {
  const ids = str(options.ids);
  const group = str(options.group);
  const filter = str(options.filter);
  if (ids !== undefined && (group !== undefined || filter !== undefined)) throw new CliError(EXIT.usage, "give --ids, or --group and/or --filter, not both");
  if (ids !== undefined) {
    const list = ids
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
    if (list.length === 0) throw new CliError(EXIT.usage, "--ids needs at least one message id (a,b,c)");
    return { kind: "ids", ids: list };
  }
  if (filter !== undefined) return { kind: "filter", text: filter, group: group ?? null, from: null, to: null };
  if (group !== undefined) return { kind: "group", group };
  throw new CliError(EXIT.usage, "say what to replay: --ids a,b, --group FINGERPRINT or --filter TEXT");
}

const ACTIVE = new Set(["planning", "running", "cancelling"]);

/**
 * Follow a job until it ends, drawing its progress; resolves to the last GET /api/v1/jobs/:id.
 * A console that goes away for a while (a deploy) is retried with backoff for `ctx.outageMs`.
 * @param {Context} ctx
 * @param {string} jobId
 */
export async function followJob(ctx, jobId) {
  const tty = ctx.progress.isTTY;
  // Ctrl-C stops following, not the job: say where it goes on.
  const onInterrupt = () => {
    ctx.note(`${tty ? "\n" : ""}Stopped following; job ${jobId} goes on: ${ctx.client.pageUrl(`/jobs/${encode(jobId)}`)}`);
    process.exit(130);
  };
  process.once("SIGINT", onInterrupt);
  try {
    return await pollJob(ctx, jobId, tty);
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }
}

/** @param {Context} ctx @param {string} jobId @param {boolean} tty */
async function pollJob(ctx, jobId, tty) {
  let outageSince = 0;
  let attempt = 0;
  let lastLine = "";
  let lastAt = 0;
  for (;;) {
    /** @type {any} */
    let detail;
    try {
      detail = await ctx.client.get(`/api/v1/jobs/${encode(jobId)}`, { limit: 20 });
      outageSince = 0;
      attempt = 0;
    } catch (error) {
      if (!(error instanceof CliError) || error.exitCode !== EXIT.unavailable) throw error;
      outageSince ||= Date.now();
      if (Date.now() - outageSince > ctx.outageMs) throw error;
      if (attempt === 0) ctx.note(`${tty ? "\n" : ""}${error.message}; trying again (the job keeps running on the console)`);
      await ctx.sleep(backoffMs(attempt++));
      continue;
    }
    const { job } = detail;
    const done = !ACTIVE.has(job.status);
    if (tty) {
      // One line, never wider than the terminal: a wrapped line would not be redrawn in place.
      const columns = ctx.progress.columns ?? 120;
      const line = [...progressBar(job, columns >= 140 ? 30 : 12)].slice(0, Math.max(20, columns - 1)).join("");
      ctx.progress.write(`\r\x1b[K${line}${done ? "\n" : ""}`);
    } else {
      const line = progressLine(job);
      // Plain lines for logs: on a change, at most every 5 s, and always the last one.
      if (done || (line !== lastLine && Date.now() - lastAt >= 5000)) {
        ctx.progress.write(`${line}\n`);
        lastLine = line;
        lastAt = Date.now();
      }
    }
    if (done) return detail;
    await ctx.sleep(ctx.pollMs);
  }
}

/**
 * The outcome of a finished wait: the exit code and the line that says why.
 * @param {any} job
 * @returns {{ exitCode: number, message: string }}
 */
export function jobOutcome(job) {
  const { counts } = job;
  if (job.status === "completed" && counts.failed === 0) return { exitCode: EXIT.ok, message: `Completed: ${formatCount(counts.done)} replayed, ${formatCount(counts.skipped)} skipped (already gone).` };
  if (job.status === "completed") return { exitCode: EXIT.jobFailures, message: `Completed, but ${formatCount(counts.failed)} of ${formatCount(counts.total)} messages failed to replay and are still in the DLQ.` };
  if (job.status === "paused") return { exitCode: EXIT.jobStopped, message: `Paused${job.statusReason ? `: ${safe(job.statusReason)}` : ""}.` };
  if (job.status === "cancelled") return { exitCode: EXIT.jobStopped, message: `Cancelled${job.statusReason ? `: ${safe(job.statusReason)}` : ""}; messages not sent stay in the DLQ.` };
  if (job.status === "planned") return { exitCode: EXIT.refused, message: "The job is planned but was never started." };
  return { exitCode: EXIT.error, message: `The job is ${safe(job.status)}.` };
}

/** @param {Context} ctx @param {any} detail */
function reportJob(ctx, detail) {
  const { job, failures } = detail;
  const outcome = jobOutcome(job);
  if (ctx.json) {
    printJson(ctx, detail);
    return outcome.exitCode;
  }
  ctx.print(outcome.message);
  for (const failure of failures ?? []) ctx.print(`  ${safe(failure.messageId)}: ${safe(failure.status)}${failure.error ? ` (${safe(failure.error)})` : ""}`);
  if (outcome.exitCode !== EXIT.ok) ctx.print(`Job: ${ctx.client.pageUrl(`/jobs/${encode(job.id)}`)}`);
  return outcome.exitCode;
}

/** `dlq replay <queue> …`: plan a bulk replay (the dry run), then start it and follow it. */
export async function replayCommand(/** @type {Context} */ ctx, /** @type {string[]} */ [spec], /** @type {Options} */ options) {
  const selection = selectionOf(options);
  const rate = positiveInt(options.rate, "rate");
  const canary = positiveInt(options.canary, "canary", { min: 0, max: 500 });
  if (options["dry-run"] && options.wait) throw new CliError(EXIT.usage, "--dry-run sends nothing, so there is nothing to --wait for");
  const queue = await queueOf(ctx, /** @type {string} */ (spec), options);
  if (options["refresh-index"]) {
    if (selection.kind === "ids") throw new CliError(EXIT.usage, "--refresh-index is for --group and --filter (ids are read from the broker)");
    const page = await refreshIndex(ctx, queue);
    ctx.note(indexNote(page.state));
  }
  const destinationId = str(options.destination);
  const routingKey = str(options["routing-key"]);
  if (!destinationId && (routingKey !== undefined || options["allow-fan-out"])) throw new CliError(EXIT.usage, "--routing-key and --allow-fan-out go with --destination");
  const settings = { ...(rate !== undefined ? { ratePerSecond: rate } : {}), ...(canary !== undefined ? { canarySize: canary } : {}) };
  const request = {
    operationId: str(options["operation-id"]) ?? `cli-${randomUUID()}`,
    selection,
    ...(destinationId ? { destination: { id: destinationId, ...(routingKey !== undefined ? { routingKey } : {}), ...(options["allow-fan-out"] ? { allowFanOut: true } : {}) } } : {}),
    ...(Object.keys(settings).length > 0 ? { settings } : {}),
    ...(str(options.reason) ? { reason: str(options.reason) } : {}),
    ...(str(options.ticket) ? { ticket: str(options.ticket) } : {}),
  };
  const path = queueApiPath(queue.broker, queue.queueId);
  // Planning reads the whole DLQ once: it may take a while on a big one.
  const planned = await ctx.client.post(`${path}/bulk-replays`, request, { timeoutMs: Math.max(ctx.client.timeoutMs, 600_000) });
  const { job } = planned;
  const blocked = job.summary.blocked;
  if (options["dry-run"]) {
    if (ctx.json) printJson(ctx, planned);
    else ctx.print(formatPlan(job));
    return blocked ? EXIT.refused : EXIT.ok;
  }
  if (!ctx.json) ctx.print(formatPlan(job));
  if (blocked) throw new CliError(EXIT.refused, `the plan cannot run: ${blocked}`, { details: ctx.json ? planned : null });
  // A repeated --operation-id (a re-run pipeline step) answers with the job it made the first
  // time; once that job has started it is not started again, only reported or followed.
  const repeat = job.status !== "planned";
  const started = repeat ? planned : await ctx.client.post(`${path}/bulk-replays/${encode(job.id)}/start`, {});
  const page = ctx.client.pageUrl(`/jobs/${encode(job.id)}`);
  const said = repeat ? `\nJob ${safe(job.id)} already ran for this operation id (${jobStatusText(job)}); not started again: ${page}` : `\nStarted ${formatCount(started.job.counts.total)} messages as job ${safe(job.id)}: ${page}`;
  if (!options.wait) {
    if (ctx.json) printJson(ctx, started);
    else ctx.print(`${said}\nFollow it with: dlq job ${job.id} --wait`);
    return EXIT.ok;
  }
  if (!ctx.json) ctx.print(said);
  return reportJob(ctx, await followJob(ctx, job.id));
}

/** `dlq job <id>`: one bulk replay job; with --wait, follow it to the end. */
export async function jobCommand(/** @type {Context} */ ctx, /** @type {string[]} */ [id], /** @type {Options} */ options) {
  const jobId = /** @type {string} */ (id);
  if (options.wait) return reportJob(ctx, await followJob(ctx, jobId));
  const detail = await ctx.client.get(`/api/v1/jobs/${encode(jobId)}`, { limit: 20 });
  if (ctx.json) return printJson(ctx, detail);
  ctx.print(`Job ${safe(detail.job.id)} on ${safe(detail.job.broker)} / ${safe(detail.job.queueId)}, by ${safe(detail.job.actor)}`);
  ctx.print(progressLine(detail.job));
  if (detail.job.statusReason) ctx.print(`Reason: ${safe(detail.job.statusReason)}`);
  for (const failure of detail.failures) ctx.print(`  ${safe(failure.messageId)}: ${safe(failure.status)}${failure.error ? ` (${safe(failure.error)})` : ""}`);
  ctx.print(ctx.client.pageUrl(`/jobs/${encode(detail.job.id)}`));
}

// ───────────────────────────── purge

/** `dlq purge <queue> --confirm <queue-name>`: delete every message (or --ids), each archived first. */
export async function purgeCommand(/** @type {Context} */ ctx, /** @type {string[]} */ [spec], /** @type {Options} */ options) {
  const confirm = str(options.confirm);
  if (confirm === undefined) throw new CliError(EXIT.usage, "a purge needs --confirm <queue-name>: type the queue's name");
  const queue = await queueOf(ctx, /** @type {string} */ (spec), options);
  if (confirm !== queue.queueId) {
    throw new CliError(EXIT.refused, `refused: --confirm "${confirm}" is not the queue's name; type --confirm ${JSON.stringify(queue.queueId)} to purge ${queueLabel(queue)}`);
  }
  const ids = str(options.ids)
    ?.split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  const body = await ctx.client.post(
    `${queueApiPath(queue.broker, queue.queueId)}/purge`,
    {
      operationId: str(options["operation-id"]) ?? `cli-${randomUUID()}`,
      ...(ids ? { ids } : { all: true }),
      confirm,
      ...(str(options.reason) ? { reason: str(options.reason) } : {}),
      ...(str(options.ticket) ? { ticket: str(options.ticket) } : {}),
    },
    { timeoutMs: Math.max(ctx.client.timeoutMs, 600_000) },
  );
  const { operation } = body;
  const outcomes = operation.result?.outcomes ?? [];
  const exitCode = operation.status === "succeeded" ? EXIT.ok : operation.status === "partial" ? EXIT.jobFailures : EXIT.error;
  if (ctx.json) {
    printJson(ctx, body);
    return exitCode;
  }
  const byStatus = new Map();
  for (const outcome of outcomes) byStatus.set(outcome.status, (byStatus.get(outcome.status) ?? 0) + 1);
  const counts = [...byStatus].map(([status, count]) => `${formatCount(count)} ${safe(status)}`).join(", ") || "nothing to purge";
  ctx.print(`Purge ${safe(operation.id)} of ${queueLabel(queue)}: ${safe(operation.status)}${body.repeated ? " (a repeat of the same operation id: nothing done twice)" : ""}; ${counts}.`);
  if (outcomes.some((/** @type {any} */ outcome) => outcome.archiveId)) ctx.print("Each message was archived before it was removed; restore from the queue's archive in the console.");
  for (const outcome of outcomes.filter((/** @type {any} */ item) => item.error)) ctx.print(`  ${safe(outcome.id)}: ${safe(outcome.error)}`);
  if (operation.result?.error) ctx.print(`Error: ${safe(operation.result.error)}`);
  return exitCode;
}

// ───────────────────────────── audit

/** `dlq audit`: the audit log, newest first. */
export async function auditCommand(/** @type {Context} */ ctx, /** @type {string[]} */ _args, /** @type {Options} */ options) {
  const limit = positiveInt(options.limit, "limit", { max: 10_000 }) ?? 50;
  const since = str(options.since);
  const query = {
    from: since ? parseSince(since) : undefined,
    actor: str(options.actor),
    action: str(options.action),
    broker: str(options.broker),
    queue: str(options.queue),
  };
  /** @type {any[]} */
  const entries = [];
  /** @type {string | null} */
  let cursor = null;
  do {
    const page = await ctx.client.get("/api/v1/audit", { ...query, cursor, limit: Math.min(500, limit - entries.length) });
    entries.push(...page.entries);
    cursor = page.nextCursor;
  } while (cursor && entries.length < limit);
  if (ctx.json) return printJson(ctx, { entries, nextCursor: cursor });
  const rows = entries.map((entry) => [
    formatTime(entry.at),
    // A token's actions are its owner's; `via` says which token (null for a browser session).
    safe(entry.via ? `${entry.actor} via ${entry.via}` : entry.actor),
    safe(entry.action),
    entry.broker ? safe(`${entry.broker}/${entry.queueId ?? ""}`) : "-",
    safe(entry.operationId ?? "-"),
    entry.messageIds.length > 0 ? formatCount(entry.messageIds.length) : "",
  ]);
  ctx.print(rows.length > 0 ? table(["AT", "ACTOR", "ACTION", "QUEUE", "OPERATION", "MESSAGES"], rows, { right: [5] }) : "No audit entries match.");
  if (cursor) ctx.print("… older entries exist (--limit to read further)");
}
