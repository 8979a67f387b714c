// Locating DLQ messages by sequence number for a move or a remove, without ever receive-and-delete:
// receive in peek-lock until the targets are found, hold the others only until then and abandon
// them promptly (so they return to the DLQ untouched but for their delivery count), renew every
// held lock while the caller works, and abandon whatever the caller did not settle.
import type { ServiceBusReceivedMessage, ServiceBusReceiver } from "@azure/service-bus";
import type Long from "long";
import { isSequenceNumber, type DlqAddress } from "./address";
import { peekExact, toLong, type ServicebusContext } from "./browse";
import { errorText, isLockLost, mapLimit } from "./client";
import { sequenceOf } from "./decode";

/** What a search for target sequence numbers found. */
export interface Located {
  readonly receiver: ServiceBusReceiver;
  /** Locked targets by sequence number. */
  readonly found: ReadonlyMap<string, ServiceBusReceivedMessage>;
  /** Targets that are not in the DLQ: not-found. */
  readonly missing: ReadonlySet<string>;
  /** Targets the DLQ has but that could not be locked, with why: failed. */
  readonly unreachable: ReadonlyMap<string, string>;
  /** Of those, the ones another receiver holds locked (they may be free in a moment). */
  readonly lockedElsewhere: ReadonlySet<string>;
  /** Mark a found message settled (completed, or abandoned on purpose), so it is not abandoned again. */
  settled(sequence: string): void;
}

const RECEIVE_BATCH = 100;
const DEFERRED_BATCH = 100;

/** Renews the locks of held messages when half their lock has run, until stopped or past `maxMs`. */
class LockKeeper {
  /** Held messages by sequence number, with when their current lock was granted. */
  private readonly held = new Map<string, { message: ServiceBusReceivedMessage; grantedAt: number }>();
  private readonly timer: NodeJS.Timeout;
  private readonly until: number;
  private renewing = false;

  constructor(private readonly receiver: ServiceBusReceiver, maxMs: number) {
    this.until = Date.now() + maxMs;
    this.timer = setInterval(() => void this.renewDue(), 250);
    this.timer.unref();
  }

  hold(message: ServiceBusReceivedMessage): void {
    this.held.set(sequenceOf(message), { message, grantedAt: Date.now() });
  }

  release(sequence: string): void {
    this.held.delete(sequence);
  }

  private async renewDue(): Promise<void> {
    if (this.renewing || Date.now() > this.until) return;
    this.renewing = true;
    try {
      const now = Date.now();
      const due = [...this.held.entries()].filter(([, { message, grantedAt }]) => {
        const lockedUntil = message.lockedUntilUtc?.getTime() ?? 0;
        // Renew once less than half the lock (as granted) is left, and never with under 500 ms to go.
        return lockedUntil - now < Math.max(500, (lockedUntil - grantedAt) / 2);
      });
      await mapLimit(due, 8, async ([sequence, entry]) => {
        try {
          await this.receiver.renewMessageLock(entry.message); // updates message.lockedUntilUtc
          entry.grantedAt = Date.now();
        } catch (error) {
          // A lost lock is reported when the message is settled; other errors are retried next tick.
          if (isLockLost(error)) this.held.delete(sequence);
        }
      });
    } finally {
      this.renewing = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.held.clear();
  }
}

/** Abandon messages we hold but do not want; a lock already gone needs nothing more. */
async function abandonAll(receiver: ServiceBusReceiver, messages: readonly ServiceBusReceivedMessage[]): Promise<void> {
  await mapLimit(messages, 16, async (message) => {
    try {
      await receiver.abandonMessage(message);
    } catch (error) {
      if (!isLockLost(error)) throw error;
    }
  });
}

/**
 * Lock the DLQ messages with these sequence numbers, run `act`, then abandon what `act` left.
 * Deferred targets are fetched by sequence number; the others are received in sequence order.
 */
export async function withLocated<T>(
  context: ServicebusContext,
  address: DlqAddress,
  ids: readonly string[],
  act: (located: Located) => Promise<T>,
): Promise<T> {
  const { connection } = context;
  const { options } = connection;
  const present = await peekExact(context, address, ids);
  const presentKeys = new Set(present.map(sequenceOf));
  const missing = new Set(ids.filter((id) => !isSequenceNumber(id) || !presentKeys.has(toLong(id).toString())));
  const deferred = present.filter((message) => message.state === "deferred").map((message) => message.sequenceNumber!);
  const active = new Set(present.filter((message) => message.state !== "deferred").map(sequenceOf));
  const lastActive = present.filter((message) => message.state !== "deferred").reduce<Long | null>(
    (last, message) => (last && last.greaterThan(message.sequenceNumber!) ? last : message.sequenceNumber!), null);

  const receiver = connection.receiver(address, "peekLock");
  const keeper = new LockKeeper(receiver, options.lockRenewalMaxMs);
  const found = new Map<string, ServiceBusReceivedMessage>();
  const unreachable = new Map<string, string>();
  const lockedElsewhere = new Set<string>();
  const others: ServiceBusReceivedMessage[] = [];
  const done = new Set<string>();
  try {
    for (let start = 0; start < deferred.length; start += DEFERRED_BATCH) {
      const chunk = deferred.slice(start, start + DEFERRED_BATCH);
      try {
        const messages = await connection.call(address.id, () => receiver.receiveDeferredMessages(chunk));
        for (const message of messages) {
          found.set(sequenceOf(message), message);
          keeper.hold(message);
        }
      } catch (error) {
        for (const sequence of chunk) unreachable.set(sequence.toString(), `deferred message could not be locked: ${errorText(error)}`);
      }
    }
    let passedLast = lastActive === null;
    while (!passedLast && [...active].some((sequence) => !found.has(sequence))) {
      if (others.length >= options.maxScan) break;
      // Ask for just the targets while none of the others has come: the SDK waits a second after
      // the first message for a batch to fill, and the targets are often the oldest messages.
      const missingTargets = [...active].filter((sequence) => !found.has(sequence)).length;
      const want = others.length === 0 ? missingTargets : Math.min(RECEIVE_BATCH, options.maxScan - others.length + missingTargets);
      const batch = await connection.call(address.id, () => receiver.receiveMessages(Math.min(RECEIVE_BATCH, want), { maxWaitTimeInMs: options.receiveWaitMs }));
      if (batch.length === 0) break;
      for (const message of batch) {
        keeper.hold(message);
        const sequence = sequenceOf(message);
        if (active.has(sequence) && !found.has(sequence)) found.set(sequence, message);
        else others.push(message);
        if (message.sequenceNumber!.greaterThanOrEqual(lastActive!)) passedLast = true;
      }
    }
    // Hand the others back now, before any sends: other consumers should not wait for our work.
    for (const message of others) keeper.release(sequenceOf(message));
    await abandonAll(receiver, others);
    // A target not handed out may have been removed since the peek: then it is not-found.
    const unreached = [...active].filter((sequence) => !found.has(sequence));
    const stillThere = new Set((await peekExact(context, address, unreached)).map(sequenceOf));
    for (const sequence of unreached) {
      if (!stillThere.has(sequence)) {
        missing.add(sequence);
        continue;
      }
      if (others.length < options.maxScan) lockedElsewhere.add(sequence);
      unreachable.set(
        sequence,
        others.length >= options.maxScan
          ? `more than ${options.maxScan} messages lie before it in the DLQ (maxScan); not reached`
          : "the DLQ holds it but another receiver has it locked; try again once its lock ends",
      );
    }
    const result = await act({
      receiver,
      found,
      missing,
      unreachable,
      lockedElsewhere,
      settled: (sequence) => {
        done.add(sequence);
        keeper.release(sequence);
      },
    });
    return result;
  } finally {
    keeper.stop();
    const leftover = [...found.entries()].filter(([sequence]) => !done.has(sequence)).map(([, message]) => message);
    await abandonAll(receiver, leftover).catch(() => undefined); // their locks lapse on their own anyway
    await receiver.close();
  }
}
