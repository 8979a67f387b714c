// @ts-check
// Which DLQ a command means: `<broker>/<queue>`, `<queue>` with `--broker`, or a bare `<queue>`
// found across brokers, resolved against the console's overview (GET /api/v1/queues), so an
// unknown or ambiguous name fails with the candidates before anything is sent.
import { CliError, EXIT } from "./errors.mjs";

/**
 * @typedef {{ broker: string, queueId: string, name: string, depth: number }} ResolvedQueue
 * @typedef {{ name: string, status: string, error: { code: string, message: string } | null, queues: { id: string, name: string, depth: number }[] }} OverviewBroker
 */

/** `broker/queue` as the CLI prints and accepts it. */
export const queueLabel = (/** @type {{ broker: string, queueId: string }} */ queue) => `${queue.broker}/${queue.queueId}`;

/**
 * Resolve a queue argument against the overview's brokers.
 * @param {readonly OverviewBroker[]} brokers
 * @param {string} spec the argument as typed
 * @param {string | undefined} brokerFlag `--broker`
 * @returns {ResolvedQueue}
 */
export function resolveQueue(brokers, spec, brokerFlag) {
  const byName = new Map(brokers.map((broker) => [broker.name, broker]));
  const matches = (/** @type {OverviewBroker} */ broker, /** @type {string} */ queue) =>
    broker.queues.filter((candidate) => candidate.id === queue || candidate.name === queue).map((candidate) => ({ broker: broker.name, queueId: candidate.id, name: candidate.name, depth: candidate.depth }));

  /** @type {{ broker: OverviewBroker, queue: string }[]} */
  const readings = [];
  if (brokerFlag !== undefined) {
    const broker = byName.get(brokerFlag);
    if (!broker) throw new CliError(EXIT.notFound, `no broker "${brokerFlag}"; the console has: ${[...byName.keys()].join(", ") || "(none you may see)"}`);
    // `--broker b b/q` and `--broker b q` both mean queue q of b (unless b has a queue named "b/q").
    const prefixed = spec.startsWith(`${brokerFlag}/`) ? spec.slice(brokerFlag.length + 1) : null;
    readings.push({ broker, queue: spec });
    if (prefixed !== null) readings.push({ broker, queue: prefixed });
  } else {
    const slash = spec.indexOf("/");
    const prefix = slash > 0 ? byName.get(spec.slice(0, slash)) : undefined;
    if (prefix) readings.push({ broker: prefix, queue: spec.slice(slash + 1) });
    // A queue id may itself hold "/" (Service Bus subscriptions): the whole argument, on every broker.
    for (const broker of brokers) readings.push({ broker, queue: spec });
  }

  const found = new Map();
  for (const reading of readings) for (const match of matches(reading.broker, reading.queue)) found.set(queueLabel(match), match);
  const candidates = [...found.values()];
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) {
    throw new CliError(EXIT.notFound, `"${spec}" matches ${candidates.length} queues: ${candidates.map(queueLabel).join(", ")}; name one as <broker>/<queue> or with --broker`, {
      details: { candidates: candidates.map(queueLabel) },
    });
  }

  const searched = readings.map((reading) => reading.broker);
  const down = [...new Set(searched)].filter((broker) => broker.status !== "ok");
  if (down.length > 0 && down.length === new Set(searched).size) {
    const [first] = down;
    throw new CliError(EXIT.unavailable, `broker ${first?.name} is down, so its queues cannot be listed: ${first?.error?.message ?? "no answer"}`);
  }
  const needle = (readings[0]?.queue ?? spec).toLowerCase();
  const similar = brokers
    .flatMap((broker) => broker.queues.map((queue) => ({ label: `${broker.name}/${queue.id}`, distance: likeness(needle, queue.id.toLowerCase()) })))
    .filter((candidate) => candidate.distance !== null)
    .sort((a, b) => /** @type {number} */ (a.distance) - /** @type {number} */ (b.distance))
    .slice(0, 5)
    .map((candidate) => candidate.label);
  const downNote = down.length > 0 ? `; not searched (down): ${down.map((broker) => broker.name).join(", ")}` : "";
  throw new CliError(EXIT.notFound, `no dead-letter queue "${spec}"${brokerFlag ? ` on ${brokerFlag}` : ""}${similar.length > 0 ? `; did you mean ${similar.join(", ")}?` : ""}${downNote}`, {
    hint: "`dlq queues` lists every DLQ the token may see",
  });
}

/** How far apart two names are (0: one contains the other), or null when they are not alike (a typo, a missing suffix). */
function likeness(/** @type {string} */ typed, /** @type {string} */ name) {
  if (name.includes(typed) || typed.includes(name)) return 0;
  const distance = editDistance(typed, name);
  return distance <= Math.max(2, Math.floor(Math.max(typed.length, name.length) / 3)) ? distance : null;
}

/** Levenshtein distance, one row at a time. */
function editDistance(/** @type {string} */ a, /** @type {string} */ b) {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
