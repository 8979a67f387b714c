// @ts-check
// `dlq`: the command line of the dead-letter console, for scripts and pipelines. Parses the
// arguments (node:util parseArgs), finds the console URL and token (flags, else DLQ_URL and
// DLQ_TOKEN), runs one command and turns every failure into one message and a documented exit code.
import { parseArgs } from "node:util";
import { ConsoleClient, CLI_VERSION } from "./client.mjs";
import { auditCommand, jobCommand, messagesCommand, positiveInt, purgeCommand, queuesCommand, replayCommand, showCommand } from "./commands.mjs";
import { CliError, EXIT, EXIT_CODES_HELP } from "./errors.mjs";
import { safe } from "./format.mjs";

/** @typedef {import("node:util").ParseArgsConfig["options"]} OptionSpec */

/** Options every command takes. */
const GLOBAL = /** @type {const} */ ({
  url: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  timeout: { type: "string" },
});

const GLOBAL_HELP = `Global options:
  --url URL        the console, e.g. https://dlq.example.com (default: $DLQ_URL)
  --token TOKEN    an API token of the console, sent as a bearer token (default: $DLQ_TOKEN)
  --json           machine-readable output: one JSON document on stdout (errors too)
  --timeout SEC    per request (default 120; planning and purging wait at least 600)
  -h, --help       help for the command
Environment: DLQ_URL, DLQ_TOKEN; DLQ_RETRIES (default 3): retries, with backoff, of a request
that found the console unreachable or answering 502/503/504 (every mutation carries an
operation id, so a retry never acts twice).`;

const QUEUE_ARG = `<queue> is <broker>/<queue> (e.g. sandbox-rabbitmq/orders.dlq), or a queue name with
--broker B, or a bare queue name if only one broker has it.`;

/**
 * @typedef {object} Command
 * @property {string} usage
 * @property {string} summary
 * @property {string} help
 * @property {string[]} positionals names of the required positionals
 * @property {OptionSpec} options
 * @property {(ctx: import("./commands.mjs").Context, args: string[], options: Record<string, string | boolean | undefined>) => Promise<number | void>} run
 */

/** @type {Record<string, Command>} */
const COMMANDS = {
  queues: {
    usage: "dlq queues [--broker B]",
    summary: "every DLQ: broker, queue, depth, age of the oldest message",
    help: `Options:
  --broker B       only this broker's DLQs
A broker that is down is listed with its error; the others still show.`,
    positionals: [],
    options: { broker: { type: "string" } },
    run: queuesCommand,
  },
  messages: {
    usage: "dlq messages <queue> [--broker B] [--filter TEXT] [--group FP] [--limit N] [--refresh-index]",
    summary: "the messages of a DLQ (live from the broker, or searched in the index)",
    help: `${QUEUE_ARG}
Without --filter/--group the messages are read live from the broker, oldest first (on SQS and
RabbitMQ a read is a receive: the console says what it does to the messages).
Options:
  --filter TEXT    search the console's message index (reason, ids, payload, headers)
  --group FP       only one failure group (the GROUP column; the fingerprint --group of replay takes)
  --limit N        at most N messages (default 50)
  --refresh-index  read the whole DLQ into the index first, and wait for it`,
    positionals: ["queue"],
    options: { broker: { type: "string" }, filter: { type: "string" }, group: { type: "string" }, limit: { type: "string" }, "refresh-index": { type: "boolean" } },
    run: messagesCommand,
  },
  show: {
    usage: "dlq show <queue> <id> [--broker B] [--raw]",
    summary: "one message: payload, failure reason, attempt history",
    help: `${QUEUE_ARG}
<id> is the ID column of \`dlq messages\`. Viewing a payload is written to the audit log.
Options:
  --raw            write the payload's bytes to stdout, unchanged (for a file or a pipe)`,
    positionals: ["queue", "id"],
    options: { broker: { type: "string" }, raw: { type: "boolean" } },
    run: showCommand,
  },
  replay: {
    usage: "dlq replay <queue> (--ids a,b | --group FP | --filter TEXT) [--destination Q] [--dry-run] [--rate N] [--wait]",
    summary: "bulk replay: plan (dry run), start, and follow the job",
    help: `${QUEUE_ARG}
Plans a bulk replay as the console's "Bulk replay" dialog does: the selected messages are frozen
(ids and payload hashes) and the plan is printed: counts by failure group and destination, what
the broker will change, what was skipped. Then it starts the job, unless --dry-run.
Selection (one of):
  --ids a,b,c      these messages (ids from \`dlq messages\`)
  --group FP       one failure group of the index (its fingerprint: GROUP in \`dlq messages\`)
  --filter TEXT    everything in the index matching TEXT (with --group: within that group)
Options:
  --dry-run        plan only; nothing is sent (exit 6 if the plan cannot run)
  --wait           follow the job to its end: a progress bar on a terminal, plain lines otherwise;
                   exit 0 when it completed, 7 when it paused (e.g. the canary came back to the
                   DLQ) or was cancelled, 8 when some messages failed
  --rate N         messages per second (default: the console's BULK_REPLAY_RATE)
  --canary N       canary size: the first N go first and are watched (0: none)
  --destination Q  send to queue/topic Q instead of each message's source
  --routing-key K  with --destination on RabbitMQ: the routing key
  --allow-fan-out  with --destination: accept that a topic delivers to several subscribers
  --refresh-index  re-read the DLQ into the index before planning --group/--filter
  --reason TEXT    why (required on environments the console names)
  --ticket REF     ticket or incident link
  --operation-id ID  the plan's id (default: a new one); running again with the same id
                   returns the same plan and job, so a retried pipeline step does not replay twice`,
    positionals: ["queue"],
    options: {
      broker: { type: "string" },
      ids: { type: "string" },
      group: { type: "string" },
      filter: { type: "string" },
      destination: { type: "string" },
      "routing-key": { type: "string" },
      "allow-fan-out": { type: "boolean" },
      "dry-run": { type: "boolean" },
      rate: { type: "string" },
      canary: { type: "string" },
      wait: { type: "boolean" },
      "refresh-index": { type: "boolean" },
      reason: { type: "string" },
      ticket: { type: "string" },
      "operation-id": { type: "string" },
    },
    run: replayCommand,
  },
  job: {
    usage: "dlq job <id> [--wait]",
    summary: "one bulk replay job; --wait follows it to the end",
    help: `Options:
  --wait           follow the job (exit codes as \`dlq replay --wait\`)`,
    positionals: ["id"],
    options: { wait: { type: "boolean" } },
    run: jobCommand,
  },
  purge: {
    usage: "dlq purge <queue> --confirm <queue-name> [--ids a,b] [--broker B]",
    summary: "delete the messages of a DLQ (archived first, restorable)",
    help: `${QUEUE_ARG}
Refuses (exit 6) unless --confirm is the queue's name, exactly as the console's purge dialog asks.
Every message is archived before it is removed; restore it from the queue's archive.
Options:
  --confirm NAME   the queue's name (required)
  --ids a,b        only these messages (default: all)
  --reason TEXT    why; --ticket REF: a ticket; --operation-id ID: as for replay`,
    positionals: ["queue"],
    options: {
      broker: { type: "string" },
      confirm: { type: "string" },
      ids: { type: "string" },
      reason: { type: "string" },
      ticket: { type: "string" },
      "operation-id": { type: "string" },
    },
    run: purgeCommand,
  },
  audit: {
    usage: "dlq audit [--since 1h|ISO] [--limit N] [--actor A] [--action X] [--broker B] [--queue Q]",
    summary: "the audit log, newest first",
    help: `Options:
  --since WHEN     30m, 1h, 2d, 1w, or an ISO date/time (2026-12-01, 2026-12-01T08:00:00Z)
  --limit N        at most N entries (default 50)
  --actor A        only this actor (a token's entries are under its owner)
  --action X       only this action (e.g. bulk-replay.start, purge.outcome)
  --broker B, --queue Q  only this broker / queue`,
    positionals: [],
    options: { since: { type: "string" }, limit: { type: "string" }, actor: { type: "string" }, action: { type: "string" }, broker: { type: "string" }, queue: { type: "string" } },
    run: auditCommand,
  },
};

export function mainHelp() {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const commands = Object.entries(COMMANDS)
    .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
    .join("\n");
  return `dlq ${CLI_VERSION}: the dead-letter console from the command line

Usage: dlq <command> [arguments] [options]

Commands:
${commands}

Run \`dlq <command> --help\` for a command's arguments and options.

${GLOBAL_HELP}

${EXIT_CODES_HELP}

Example (after a deploy):
  DLQ_URL=https://dlq.example.com DLQ_TOKEN=... npx dlq replay orders/orders-dlq --group 3f9a0c1b2d4e --rate 200 --wait`;
}

/** @param {string} name */
export function commandHelp(name) {
  const command = COMMANDS[name];
  if (!command) return mainHelp();
  return `Usage: ${command.usage}

${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.

${command.help}

${GLOBAL_HELP}

${EXIT_CODES_HELP}`;
}

/**
 * @typedef {object} Io
 * @property {Record<string, string | undefined>} env
 * @property {{ write(text: string | Uint8Array): unknown, isTTY?: boolean }} stdout
 * @property {{ write(text: string): unknown, isTTY?: boolean, columns?: number }} stderr
 */

/**
 * Run `dlq` with these arguments; resolves to the exit code.
 * @param {string[]} argv the arguments after `dlq`
 * @param {Io} io
 */
export async function main(argv, io) {
  const print = (/** @type {string} */ text) => io.stdout.write(`${text}\n`);
  const note = (/** @type {string} */ text) => io.stderr.write(`${text}\n`);
  const json = argv.includes("--json");
  const fail = (/** @type {CliError} */ error) => {
    if (json) {
      print(JSON.stringify({ error: { exitCode: error.exitCode, message: error.message, status: error.status, code: error.code, details: error.details, hint: error.hint } }, null, 2));
    } else {
      note(`dlq: ${safe(error.message, { multiline: true })}`);
      if (error.hint) note(`     ${safe(error.hint)}`);
    }
    return error.exitCode;
  };

  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    print(topic ? commandHelp(topic) : mainHelp());
    return EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    print(CLI_VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) return fail(new CliError(EXIT.usage, `unknown command "${name}"; run \`dlq --help\` for the commands`));

  /** @type {{ values: Record<string, string | boolean | undefined>, positionals: string[] }} */
  let parsed;
  try {
    parsed = /** @type {any} */ (parseArgs({ args: rest, options: { ...GLOBAL, ...command.options }, allowPositionals: true, strict: true }));
  } catch (error) {
    return fail(new CliError(EXIT.usage, `${error instanceof Error ? error.message : String(error)}\nUsage: ${command.usage}`));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    print(commandHelp(name));
    return EXIT.ok;
  }
  if (positionals.length !== command.positionals.length) {
    const wanted = command.positionals.map((positional) => `<${positional}>`).join(" ") || "no arguments";
    return fail(new CliError(EXIT.usage, `${name} takes ${wanted}, got ${positionals.length === 0 ? "none" : positionals.map((item) => JSON.stringify(item)).join(" ")}\nUsage: ${command.usage}`));
  }

  try {
    const url = (typeof values.url === "string" ? values.url : undefined) ?? io.env.DLQ_URL;
    const token = (typeof values.token === "string" ? values.token : undefined) ?? io.env.DLQ_TOKEN;
    if (!url) throw new CliError(EXIT.usage, "no console URL: set DLQ_URL or pass --url");
    if (!token) throw new CliError(EXIT.usage, "no API token: set DLQ_TOKEN or pass --token (create one in the console)");
    const timeout = positiveInt(values.timeout, "timeout", { max: 86_400 });
    const retries = io.env.DLQ_RETRIES === undefined ? undefined : Number(io.env.DLQ_RETRIES);
    if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) throw new CliError(EXIT.usage, `DLQ_RETRIES must be a whole number, not "${io.env.DLQ_RETRIES}"`);
    const client = new ConsoleClient({ url, token, timeoutMs: timeout === undefined ? undefined : timeout * 1000, retries });
    const code = await command.run(
      {
        client,
        json,
        print,
        note,
        progress: { isTTY: io.stderr.isTTY === true, columns: io.stderr.columns, write: (text) => io.stderr.write(text) },
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        pollMs: Number(io.env.DLQ_POLL_MS ?? 1000),
        outageMs: 120_000,
        writeRaw: (bytes) => io.stdout.write(bytes),
      },
      positionals,
      values,
    );
    return code ?? EXIT.ok;
  } catch (error) {
    if (error instanceof CliError) return fail(error);
    return fail(new CliError(EXIT.error, `unexpected: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
  }
}
