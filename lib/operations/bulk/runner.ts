import "server-only";
// Running one bulk job on this worker: take its lease, replay the canary and watch for copies
// coming back, then replay the rest in lanes (one per partition key group, in plan order) under
// the job's rate limit. While a lane's batch is at the broker, one transaction records the batch
// before it (outcomes, checkpoint, counters, audit) and claims the one after it (marked in
// flight, intent row). Postgres notifies a change to the job row (pause, cancel, a rate change,
// another worker's takeover: a trigger, LISTEN), and the runner re-reads the row before its next
// batch when it hears one; also at least once a second, and before every batch while it cannot
// listen. So a change takes effect at the next batch (a claimed batch not sent is withdrawn, with
// a row); a batch in flight always finishes, so a message is never in neither place (the adapter sends,
// confirms, then removes: rule 2). A worker that dies leaves at most two batches per lane in
// flight: the one at the broker, and either the one before it (moved, its outcome not yet
// written) or the claimed one after it (not sent). The next worker replays them again; what the
// earlier one moved is found gone and counts as moved, the claimed one is found and sent, so
// duplicates stay bounded by the one batch per lane that was at the broker.
import type { BulkJob } from "@prisma/client";
import { priorReplayCounts } from "@/lib/audit/query";
import { BrokerError, TRANSIENT_BROKER_ERRORS } from "@/lib/brokers/errors";
import { backoffDelay } from "@/lib/brokers/retry";
import type { BrokerAdapter, Destination, ReplayOutcome, ReplayRequest, ReplaySession } from "@/lib/brokers/types";
import { db } from "@/lib/db/client";
import { subscribe, type Subscription } from "@/lib/db/sql";
import { countReturned } from "./returns";
import {
  acquireLease, cancelRemaining, jobState, lastBatch, markSending, nextItems, recordBatch, recoverInterrupted, releaseLease, renewLease, transition, unfinishedItems, writeBatches,
  type BatchRecord, type ItemResult, type ItemRow,
} from "./store";

export interface RunnerDeps {
  /** The adapter of a configured broker, by name. */
  readonly resolveAdapter: (broker: string) => BrokerAdapter;
  readonly workerId: string;
  readonly leaseMs: number;
  /** Messages a return check reads from the DLQ. */
  readonly returnScan: number;
  /** Time between return checks in the main phase. */
  readonly returnCheckMs: number;
  /** How to wait; tests pass a fast one. Default: setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Sends of one message before it counts as failed. */
export const MAX_ITEM_ATTEMPTS = 3;
/**
 * Sends of a message that another receiver holds locked before it counts as failed: with the
 * lane's backoff (0.2 s doubling to 10 s) that is about 40 s, past a parallel lane's brief hold.
 */
export const MAX_LOCKED_ATTEMPTS = 10;
/** Broker calls of one batch (transient errors) before the job pauses on a destination error. */
export const MAX_BATCH_ATTEMPTS = 5;
/** Replayed messages needed before the failure share can pause a job. */
export const MIN_FAILURE_SAMPLE = 10;
const BACKOFF = { baseMs: 200, capMs: 10_000 } as const;
const CANARY_POLL_MS = 1000;
/** The trigger of migration 20261202100000 notifies a change of a job's control fields here, with its id. */
export const JOB_CONTROL_CHANNEL = "bulk_job_control";
/** Without a notification, the job row is still re-read before a batch when the last read is older than this. */
const REREAD_MS = 1000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Lanes share the DLQ with the return check, which must read it alone (a head-reading browse would hide a lane's messages). */
class Gate {
  private active = 0;
  private exclusiveRun: Promise<unknown> | null = null;
  private idle: (() => void)[] = [];

  async shared<T>(work: () => Promise<T>): Promise<T> {
    while (this.exclusiveRun) await this.exclusiveRun.catch(() => undefined);
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      if (this.active === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.exclusiveRun) await this.exclusiveRun.catch(() => undefined);
    const run = (async () => {
      while (this.active > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
      return work();
    })();
    this.exclusiveRun = run;
    try {
      return await run;
    } finally {
      if (this.exclusiveRun === run) this.exclusiveRun = null;
    }
  }
}

/** Spaces sends so the job stays at its rate (read fresh each batch, so a change applies at once). */
class RateLimiter {
  private next = 0;
  /** Wait for the turn of `count` messages; true when it had to wait. */
  async take(count: number, ratePerSecond: number, sleep: (ms: number) => Promise<void>): Promise<boolean> {
    const now = Date.now();
    const start = Math.max(now, this.next);
    this.next = start + (count * 1000) / ratePerSecond;
    if (start <= now) return false;
    await sleep(start - now);
    return true;
  }
}

/** The share of a lane's time a return check may take: slower checks are spaced out further. */
export const RETURN_CHECK_SHARE = 0.1;

/**
 * Time until the next return check, after one that took `tookMs` (its own read, plus the broker
 * call after it: CheckCharge): the configured interval, or longer
 * when reading the DLQ's head is slow (a long SQS DLQ, a loaded broker), so the checks take at
 * most RETURN_CHECK_SHARE of the run. The canary's checks are not spaced out.
 */
export function returnCheckDelay(intervalMs: number, tookMs: number): number {
  // Measured from one check's start to the next's: the check's share of that span is the bound.
  return Math.max(intervalMs, Math.ceil(tookMs / RETURN_CHECK_SHARE));
}

/**
 * What a return check costs beyond its own read: on a DLQ without a peek a check can reorder the
 * queue (SQS hands released messages out last), and the next replay's sweep then passes every one
 * of them (7 s instead of 45 ms at 30,000 messages). So the first broker call after a check is
 * charged to it, whole (a normal call is a few tens of ms). Without that, the slow call outlasted
 * the interval the check's own 0.5 s had set, and every batch was followed by another check (82
 * msg/s instead of ~700).
 */
export class CheckCharge {
  private pending = false;

  /** A return check just ran. */
  checked(): void {
    this.pending = true;
  }

  /** A broker call took `ms`: the share of it to charge to the last check (all of it for the first call after one), else null. */
  charge(ms: number): number | null {
    if (!this.pending) return null;
    this.pending = false;
    return ms;
  }
}

/** How often each message was replayed by the console before (other operations' outcome rows). */
const priorReplays = (job: BulkJob, ids: readonly string[]) => priorReplayCounts(job.broker, ids, job.id);

/**
 * A lane's next batch, claimed while its current batch is at the broker: its items read, their
 * prior-replay counts looked up, and the items marked in flight with their intent row committed.
 */
interface Claimed {
  readonly limit: number;
  readonly number: number;
  readonly items: ItemRow[];
  readonly counts: Map<string, number>;
}

/** A lane's items from `fromSeq` with their prior-replay counts, read before they are claimed. */
interface ReadAhead {
  readonly limit: number;
  readonly fromSeq: number;
  readonly items: ItemRow[];
  readonly counts: Map<string, number>;
}

type StopReason = "paused" | "cancelling" | "lease-lost" | "auto-paused" | "shutdown";

let shuttingDown = false;

/** This process is stopping: every job it runs stops after its batch in flight and gives its lease up, for another worker to take over. */
export function stopRunningJobs(): void {
  shuttingDown = true;
}

class JobRun {
  private stop: StopReason | null = null;
  private batchNumber = 0;
  private readonly limiter = new RateLimiter();
  private readonly gate = new Gate();
  private lastReturnCheck = Date.now();
  private returnCheckDelay: number;
  private lastReturnCheckMs = 0;
  private readonly charge = new CheckCharge();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly adapter: BrokerAdapter;
  private readonly destination: Destination | undefined;
  // Notifications of a change to the job row; null without a notification connection.
  private subscription: Subscription | null = null;
  private changed = true;
  private readAt = 0;

  constructor(
    private job: BulkJob,
    private readonly deps: RunnerDeps,
  ) {
    this.sleep = deps.sleep ?? realSleep;
    this.returnCheckDelay = deps.returnCheckMs;
    this.adapter = deps.resolveAdapter(job.broker);
    this.destination = job.destination ? (JSON.parse(job.destination) as Destination) : undefined;
  }

  private get worker() {
    return { actor: this.job.actor, request: { worker: this.deps.workerId } };
  }

  async execute(previousWorker: string | null): Promise<void> {
    const renew = setInterval(() => {
      renewLease(this.job.id, this.deps.workerId, this.deps.leaseMs)
        .then((kept) => {
          if (!kept) this.stop ??= "lease-lost";
        })
        .catch((error: unknown) => console.error(`bulk replay ${this.job.id}: lease renewal failed: ${errorText(error)}`));
    }, Math.max(200, Math.floor(this.deps.leaseMs / 3)));
    try {
      // Before the first read of the job, so no change falls between the two. A lost connection
      // needs no callback: the subscription stops being live, and every batch re-reads.
      this.subscription = await subscribe(JOB_CONTROL_CHANNEL, (id) => {
        if (id === this.job.id) this.changed = true;
      }).catch((error: unknown) => {
        console.error(`bulk replay ${this.job.id}: no notifications of job changes (the job row is re-read before every batch): ${errorText(error)}`);
        return null;
      });
      const recovered = await recoverInterrupted(this.job.id);
      this.batchNumber = await lastBatch(this.job.id);
      if (previousWorker && previousWorker !== this.deps.workerId) {
        await transition(this.job.id, ["running", "cancelling"], {}, { ...this.worker, action: "bulk-replay.takeover", outcome: { previousWorker, interrupted: recovered } });
      }
      if (this.job.status === "running" && this.job.phase === "canary" && !(await this.canary())) return this.afterStop();
      await this.refresh();
      if (this.job.status === "running" && this.job.phase === "main") {
        const lanes = Array.from({ length: this.job.concurrency }, (_, lane) => this.lane(lane));
        await Promise.all(lanes);
        if (this.stop) return this.afterStop();
        await transition(this.job.id, ["running"], { phase: "verify" }, { ...this.worker, action: "bulk-replay.phase", outcome: { phase: "verify" } });
        await this.refresh();
      }
      if (this.job.status === "running" && this.job.phase === "verify") {
        await this.verify();
        if (this.stop) return this.afterStop();
        await this.refresh();
        // Every item must have ended; one still in flight belongs to a run elsewhere that has not recorded it yet.
        if ((await unfinishedItems(this.job.id)) > 0) return;
        const done = await transition(
          this.job.id,
          ["running"],
          { status: "completed", phase: "done", finished: true, statusReason: null },
          { ...this.worker, action: "bulk-replay.outcome", outcome: { status: "completed", total: this.job.total, done: this.job.done, failed: this.job.failed, skipped: this.job.skipped } },
        );
        if (done) return;
      }
      await this.refresh();
      return this.afterStop();
    } finally {
      clearInterval(renew);
      this.subscription?.close();
      await releaseLease(this.job.id, this.deps.workerId);
    }
  }

  /** What to do once the lanes stopped: finish a cancel; a pause or a lost lease needs nothing more. */
  private async afterStop(): Promise<void> {
    if (this.stop === "lease-lost" || this.stop === "shutdown") return;
    await this.refresh();
    if (this.job.status !== "cancelling") return;
    const cancelled = await cancelRemaining(this.job.id);
    await this.refresh();
    await transition(
      this.job.id,
      ["cancelling"],
      { status: "cancelled", finished: true },
      { ...this.worker, action: "bulk-replay.cancelled", outcome: { status: "cancelled", cancelled, done: this.job.done, failed: this.job.failed, skipped: this.job.skipped } },
    );
  }

  /** Re-read the job: status, rate and counters; sets `stop` when it is no longer ours to run. */
  private async refresh(): Promise<void> {
    // Only what can change while it runs (on the plain pool). Not the selection: an ids selection
    // holds every id, and reading it took 6 ms a batch at 40k. A change notified from here on is
    // read by the next refresh, even if this one already sees it.
    this.changed = false;
    this.readAt = Date.now();
    this.job = { ...this.job, ...(await jobState(this.job.id)) };
    if (shuttingDown) this.stop ??= "shutdown";
    else if (this.job.workerId !== this.deps.workerId) this.stop ??= "lease-lost";
    else if (this.job.status === "cancelling") this.stop ??= "cancelling";
    else if (this.job.status !== "running") this.stop ??= "paused";
  }

  /**
   * Before a clean lane's next batch: re-read the job only if a change was notified, the last read
   * is older than REREAD_MS, or there is no live notification connection. Skipped, the counters
   * stay as last read: they only matter with failures, and a lane with failures re-reads itself.
   */
  private async refreshIfChanged(): Promise<void> {
    if (shuttingDown) this.stop ??= "shutdown";
    if (this.subscription?.live && !this.changed && Date.now() - this.readAt < REREAD_MS) return;
    await this.refresh();
  }

  private async autoPause(reason: string, extra: { returned?: number } = {}): Promise<void> {
    const job = await transition(
      this.job.id,
      ["running"],
      { status: "paused", statusReason: reason, ...extra },
      { ...this.worker, action: "bulk-replay.auto-pause", outcome: { reason, done: this.job.done, failed: this.job.failed, skipped: this.job.skipped, ...extra } },
    );
    if (job) this.job = job;
    this.stop ??= "auto-paused";
  }

  private batchLimit(): number {
    const perLane = Math.ceil(this.job.ratePerSecond / this.job.concurrency);
    return Math.max(1, Math.min(this.job.batchSize, perLane));
  }

  /** The canary: its messages first, then a watch window; false when the job must not go on. */
  private async canary(): Promise<boolean> {
    const size = this.job.canarySize;
    if (size > 0) {
      for (;;) {
        const items = await nextItems(this.job.id, { lane: null, belowSeq: size, limit: size });
        if (items.length === 0) break;
        await this.limiter.take(items.length, this.job.ratePerSecond, this.sleep);
        if (!(await this.send(items, 0))) return false;
        await this.refresh();
        if (this.stop) return false;
      }
      if (this.job.failed > 0) {
        await this.autoPause(`canary: ${this.job.failed} of ${Math.min(size, this.job.total)} messages failed to replay`);
        return false;
      }
      const until = Date.now() + this.job.canaryWindowMs;
      for (;;) {
        const returned = await countReturned(this.adapter, this.job.queueId, this.job.id, this.deps.returnScan);
        this.charge.checked(); // the first main-phase call pays for this read too
        if (returned > 0) {
          await this.autoPause(`canary: ${returned} of ${this.job.done} replayed messages came back to the DLQ within the watch window`, { returned });
          return false;
        }
        const left = until - Date.now();
        if (left <= 0) break;
        await this.sleep(Math.min(CANARY_POLL_MS, left));
        await this.refresh();
        if (this.stop) return false;
      }
    }
    const moved = await transition(this.job.id, ["running"], { phase: "main" }, { ...this.worker, action: "bulk-replay.canary", outcome: { passed: true, canary: Math.min(size, this.job.total) } });
    if (!moved) {
      await this.refresh();
      return false;
    }
    this.job = moved;
    return true;
  }

  /**
   * One lane: its items in plan order, a batch at a time, until none is left or the job stops.
   * While a batch is at the broker the lane claims the next one: in one transaction it writes the
   * last batch's outcome and the next batch's intent (in flight: bulk_job_inflight). So when the broker
   * answers, the next call can start at once; Postgres's share of a batch is off the lane's
   * critical path. A claimed batch that is not sent as it is (the job stopped, messages of the
   * last batch are retried first, the rate changed its size) is withdrawn: no longer in flight
   * (its items were pending all along), with an audit row that says so.
   */
  private async lane(lane: number): Promise<void> {
    let failureStreak = 0;
    let clean = true;
    // No item of this lane below it is pending: past a batch once it is sent, back to a retried message.
    let cursor = 0;
    // The last batch's outcome, until a write takes it (the next claim's transaction, or a flush).
    let held: BatchRecord | null = null;
    // The next batch, being claimed while the current one is at the broker.
    let ahead: Promise<Claimed | null> | null = null;
    // The items after the claimed batch, read while the claim is written.
    const following: { read: Promise<ReadAhead> | null } = { read: null };
    // The lane's broker calls share one session where the adapter has them (RabbitMQ: one channel
    // and consumer, the next batch streaming in as the last is acked).
    const session = this.adapter.openReplaySession?.(this.job.queueId) ?? null;
    const takeHeld = () => {
      const record = held;
      held = null;
      return record;
    };
    const takeAhead = async () => {
      const claim = ahead;
      ahead = null;
      return claim ? await claim : null;
    };
    const flush = () => writeBatches(this.job, { record: takeHeld() });
    const withdraw = (claimed: Claimed | null, reason: string) =>
      writeBatches(this.job, { record: takeHeld(), withdraw: claimed ? { number: claimed.number, lane, items: claimed.items, actor: this.job.actor, reason } : null });
    const stopped = () => `the job stopped (${this.stop ?? "stopped"}) before the batch was sent`;
    // Waiting for the rate limit: the last batch's outcome need not wait with it.
    const sleep = async (ms: number) => {
      const write = flush();
      await this.sleep(ms);
      await write;
    };
    try {
      while (!this.stop) {
        // Counters lag by the batch whose outcome is held; a batch with anything but moved
        // messages is written first, so the failure share is read exact. Otherwise the job is
        // re-read only when it changed (refreshIfChanged), beside the claim, not after it.
        let claimed: Claimed | null;
        if (clean) [claimed] = await Promise.all([takeAhead(), this.refreshIfChanged()]);
        else {
          claimed = await takeAhead();
          await flush();
          await this.refresh();
        }
        if (this.stop) return await withdraw(claimed, stopped());
        if (!(await this.checkThresholds(flush))) return await withdraw(claimed, stopped());
        const limit = this.batchLimit();
        if (claimed && claimed.limit !== limit) {
          await withdraw(claimed, "the rate changed since the batch was claimed: it is read again at the new size");
          claimed = null;
        }
        const batch = claimed ?? (await this.claim(lane, limit, cursor, takeHeld(), following));
        if (!batch) return;
        // A pause or cancel that came during a wait stops this batch before anything is sent.
        if (await this.limiter.take(batch.items.length, this.job.ratePerSecond, sleep)) {
          await this.refresh();
          if (this.stop) return await withdraw(batch, stopped());
        }
        ahead = this.claim(lane, limit, batch.items.at(-1)!.seq + 1, takeHeld(), following);
        ahead.catch(() => undefined); // awaited (and so thrown) by takeAhead()
        const sent = await this.gate.shared(() => this.dispatch(batch.items, lane, { claimed: batch, session }));
        if (!sent) return await withdraw(await takeAhead(), "the job paused on a destination error before the batch was sent");
        held = sent.record;
        clean = sent.results.every((result) => result.status === "moved");
        const retried = sent.results.filter((result) => result.status === "pending").map((result) => result.seq);
        cursor = retried.length > 0 ? Math.min(...retried) : batch.items.at(-1)!.seq + 1;
        // Messages to retry: back off before the lane's next batch, which must start with them, so
        // the batch claimed past them goes back and is read again once they are pending again.
        if (retried.length > 0) {
          await withdraw(await takeAhead(), "messages of the batch before it are retried first");
          await this.sleep(backoffDelay(failureStreak++, BACKOFF));
        } else failureStreak = 0;
      }
    } finally {
      const claimed = await takeAhead();
      await withdraw(claimed, stopped());
      await session?.close().catch((error: unknown) => console.error(`bulk replay ${this.job.id}: closing the replay session failed: ${errorText(error)}`));
    }
  }

  /**
   * Claim the lane's next batch from `fromSeq`: its items and their prior-replay counts (read by
   * the claim before, when it read from there), and one transaction that writes `record` (the
   * last batch's outcome) and marks the items in flight with their intent row. Meanwhile the items
   * after them are read into `following`, for the next claim. Null when the lane has nothing left
   * (the outcome is written anyway).
   */
  private async claim(lane: number, limit: number, fromSeq: number, record: BatchRecord | null, following: { read: Promise<ReadAhead> | null }): Promise<Claimed | null> {
    const prepared = following.read;
    following.read = null;
    // A read-ahead that failed is read again here (and fails the lane only if that fails too).
    const ready = prepared
      ? await prepared.catch((error: unknown) => {
          console.error(`bulk replay ${this.job.id}: reading the lane's next items ahead failed (read again): ${errorText(error)}`);
          return null;
        })
      : null;
    const { items, counts } = ready && ready.limit === limit && ready.fromSeq === fromSeq ? ready : await this.readAhead(lane, limit, fromSeq);
    if (items.length === 0) {
      await writeBatches(this.job, { record });
      return null;
    }
    const number = ++this.batchNumber;
    const next = this.readAhead(lane, limit, items.at(-1)!.seq + 1);
    next.catch(() => undefined); // awaited (and so thrown) by the next claim, or dropped with the lane
    following.read = next;
    await writeBatches(this.job, { record, mark: { number, lane, items, actor: this.job.actor } });
    return { limit, number, items, counts };
  }

  /** The lane's next `limit` pending items from `fromSeq`, with their prior-replay counts. */
  private async readAhead(lane: number, limit: number, fromSeq: number): Promise<ReadAhead> {
    const items = await nextItems(this.job.id, { lane, limit, fromSeq });
    return { limit, fromSeq, items, counts: await priorReplays(this.job, items.map((item) => item.messageId)) };
  }

  /** After a parallel run, messages a lane did not find are looked for once more, alone (another lane's read may have hidden them). */
  private async verify(): Promise<void> {
    for (const status of ["pending", "missing"]) {
      while (!this.stop) {
        await this.refresh();
        if (this.stop) return;
        const items = await nextItems(this.job.id, { lane: null, status, limit: this.batchLimit() });
        if (items.length === 0) break;
        await this.limiter.take(items.length, this.job.ratePerSecond, this.sleep);
        if (!(await this.send(items, 0))) return;
      }
    }
  }

  /** Failure share and (every returnCheckMs) return share against the job's thresholds; false when the lane must stop (it paused, or the job stopped). */
  private async checkThresholds(flush?: () => Promise<void>): Promise<boolean> {
    const attempted = this.job.done + this.job.failed;
    if (attempted >= Math.min(MIN_FAILURE_SAMPLE, this.job.total) && this.job.failed / Math.max(1, attempted) > this.job.failureThreshold) {
      await this.autoPause(`${this.job.failed} of ${attempted} messages failed (${percent(this.job.failed / attempted)}), above the ${percent(this.job.failureThreshold)} threshold`);
      return false;
    }
    if (Date.now() - this.lastReturnCheck < this.returnCheckDelay || this.job.done === 0) return true;
    // The share is of replayed messages recorded so far: the lane's last batch counts too.
    if (flush) {
      await flush();
      await this.refresh();
      if (this.stop) return false; // paused or cancelled meanwhile: no further batch
    }
    const started = Date.now();
    this.lastReturnCheck = started;
    const returned = await this.gate.exclusive(() => countReturned(this.adapter, this.job.queueId, this.job.id, this.deps.returnScan));
    this.lastReturnCheckMs = Date.now() - started;
    this.returnCheckDelay = returnCheckDelay(this.deps.returnCheckMs, this.lastReturnCheckMs);
    this.charge.checked();
    await db().bulkJob.update({ where: { id: this.job.id }, data: { returned } });
    if (returned / this.job.done > this.job.returnThreshold) {
      await this.autoPause(`${returned} of ${this.job.done} replayed messages came back to the DLQ (${percent(returned / this.job.done)}), above the ${percent(this.job.returnThreshold)} threshold`, { returned });
      return false;
    }
    return true;
  }

  /** Replay one batch and record it; null when the job paused on a destination error. */
  private async send(items: readonly ItemRow[], lane: number): Promise<ItemResult[] | null> {
    const sent = await this.dispatch(items, lane);
    if (!sent) return null;
    await writeBatches(this.job, { record: sent.record });
    return sent.results;
  }

  /**
   * Replay one batch: mark it in flight (unless `claimed` already did), call the broker (retrying
   * transient errors), and return its results with the outcome record, for the caller to write.
   * Null when the job paused on a destination error. `session` is the lane's replay session,
   * where the adapter has them.
   */
  private async dispatch(
    items: readonly ItemRow[],
    lane: number,
    options: { claimed?: Claimed; session?: ReplaySession | null } = {},
  ): Promise<{ results: ItemResult[]; record: BatchRecord } | null> {
    let batch: number;
    let counts: Map<string, number>;
    if (options.claimed) ({ number: batch, counts } = options.claimed);
    else {
      batch = ++this.batchNumber;
      // Independent reads and writes, both before the broker call: one round trip's wait instead of two.
      [counts] = await Promise.all([priorReplays(this.job, items.map((item) => item.messageId)), markSending(this.job, { number: batch, lane }, items, this.job.actor)]);
    }
    const requests: ReplayRequest[] = items.map((item) => ({
      id: item.messageId,
      destination: this.destination,
      stamp: { operationId: this.job.id, operator: this.job.actor, replayCount: (counts.get(item.messageId) ?? 0) + 1 },
    }));
    const meta = { number: batch, lane, workerId: this.deps.workerId, actor: this.job.actor };
    let outcomes: ReplayOutcome[];
    for (let attempt = 0; ; attempt++) {
      try {
        const callStarted = Date.now();
        outcomes = await (options.session ? options.session.replay(requests) : this.adapter.replay(this.job.queueId, requests));
        const extra = this.charge.charge(Date.now() - callStarted);
        if (extra !== null) this.returnCheckDelay = returnCheckDelay(this.deps.returnCheckMs, this.lastReturnCheckMs + extra);
        break;
      } catch (error) {
        const transient = error instanceof BrokerError && TRANSIENT_BROKER_ERRORS.has(error.code);
        if (!transient || attempt + 1 >= MAX_BATCH_ATTEMPTS) {
          const message = error instanceof BrokerError ? error.message : "internal error";
          await recordBatch(this.job, meta, items.map((item) => ({ seq: item.seq, messageId: item.messageId, status: "pending", error: message })));
          await this.autoPause(`destination error after ${attempt + 1} attempt(s): ${message}`);
          if (!(error instanceof BrokerError)) console.error(`bulk replay ${this.job.id}: batch ${batch} failed: ${errorText(error)}`);
          return null;
        }
        await this.sleep(backoffDelay(attempt, BACKOFF));
      }
    }
    const byId = new Map(outcomes.map((outcome) => [outcome.id, outcome]));
    const results = items.map((item) => this.resultOf(item, byId.get(item.messageId)));
    return { results, record: { ...meta, results } };
  }

  private resultOf(item: ItemRow, outcome: ReplayOutcome | undefined): ItemResult {
    const base = { seq: item.seq, messageId: item.messageId };
    if (!outcome) return { ...base, ...this.failure(item, "the broker returned no outcome") };
    switch (outcome.status) {
      case "moved":
      case "sent-kept":
        return { ...base, status: "moved", error: null };
      case "sent-not-removed":
        return { ...base, status: "sent-not-removed", error: outcome.error };
      case "failed":
        // Locked by another receiver, most likely another lane of this job reading the same DLQ for
        // a moment: tried again (first, so its key's order holds) for longer before it counts as failed.
        return { ...base, ...this.failure(item, outcome.error, outcome.retry === "locked" ? MAX_LOCKED_ATTEMPTS : MAX_ITEM_ATTEMPTS) };
      case "not-found":
        if (item.interrupted) return { ...base, status: "moved", error: "not in the DLQ on retry: the interrupted batch had moved it" };
        if (this.job.concurrency > 1 && this.job.phase !== "verify") return { ...base, status: "missing", error: null };
        return { ...base, status: "skipped", error: "no longer in the DLQ" };
    }
  }

  private failure(item: ItemRow, error: string, maxAttempts = MAX_ITEM_ATTEMPTS): { status: string; error: string } {
    return { status: item.attempts + 1 >= maxAttempts ? "failed" : "pending", error };
  }
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** Run the job on this worker if it is active and no live worker holds it; returns when it ends, pauses or moves elsewhere. */
export async function runBulkJob(jobId: string, deps: RunnerDeps): Promise<void> {
  // The sweeper may queue a job again while this process still runs it (a late lease renewal): one run per job per process.
  const key = `${deps.workerId}\u0000${jobId}`;
  if (runningHere.has(key)) return;
  runningHere.add(key);
  try {
    const lease = await acquireLease(jobId, deps.workerId, deps.leaseMs);
    if (!lease) return;
    let run: JobRun;
    try {
      run = new JobRun(lease.job, deps);
    } catch (error) {
      // The broker is no longer configured here (or its adapter cannot be built): pause with why, instead of retrying forever.
      const reason = `cannot replay on ${lease.job.broker}: ${errorText(error)}`;
      await transition(jobId, ["running"], { status: "paused", statusReason: reason }, { actor: lease.job.actor, action: "bulk-replay.auto-pause", request: { worker: deps.workerId }, outcome: { reason } });
      await releaseLease(jobId, deps.workerId);
      return;
    }
    await run.execute(lease.previousWorker);
  } finally {
    runningHere.delete(key);
  }
}

const runningHere = new Set<string>();
