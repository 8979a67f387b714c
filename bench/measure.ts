// What the bulk replay benchmarks share: the database and modules of a run, the peak RSS of a
// phase, and memory after a full collection while a job runs.
import { readdirSync, readFileSync } from "node:fs";
import v8 from "node:v8";
import vm from "node:vm";

/** Samples RSS every 50 ms from now; stop() returns the peak seen. */
export function rssMeter(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return { stop: () => (clearInterval(timer), Math.max(peak, process.memoryUsage().rss)) };
}

/** A full garbage collection, so a memory sample shows what is held, not what is not collected yet. */
export const collectGarbage: () => void = (() => {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
})();

/**
 * Memory while a job runs, sampled after a full collection each time another tenth of `total` is
 * done (polled every 500 ms with `done()`): flat memory shows as ten equal figures, growth as a
 * rising row. RSS alone rises until V8 collects, leak or not; the heap after a collection does not.
 */
export function memoryTrace(total: number, done: () => Promise<number>): { stop(): Promise<{ rss: number; heap: number; at: number }[]> } {
  const samples: { rss: number; heap: number; at: number }[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const count = await done().catch(() => 0);
      const at = performance.now(); // before the collection: a tenth's rate leaves out the GC that marks it
      while (samples.length < 10 && count >= ((samples.length + 1) * total) / 10) {
        collectGarbage();
        const usage = process.memoryUsage();
        samples.push({ rss: usage.rss, heap: usage.heapUsed, at });
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return samples;
    },
  };
}

/**
 * Messages per second in each tenth of a phase that started at `startedAt`, from a memory trace's
 * sample times: a rate that falls tenth by tenth is a cost that grows with the job. Sampled every
 * 500 ms, so a tenth shorter than a few seconds reads coarse.
 */
export function tenthRates(total: number, startedAt: number, samples: readonly { at: number }[]): number[] {
  return samples.map((sample, n) => {
    const seconds = (sample.at - (n === 0 ? startedAt : samples[n - 1]!.at)) / 1000;
    return seconds > 0 ? Math.round(total / 10 / seconds) : Number.POSITIVE_INFINITY;
  });
}

/** The largest heap left after a full collection, sampled every `everyMs` from now (a phase with no progress count, like the plan). */
export function heapMeter(everyMs = 2000): { stop(): number } {
  let peak = 0;
  const sample = () => {
    collectGarbage();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, everyMs);
  return { stop: () => (clearInterval(timer), sample(), peak) };
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

type Service = "rabbitmq" | "postgres";
/** CPU µs per message of each service in a phase, or null without /proc. */
export type ServiceCpu = Record<Service, number> | null;

/** CPU seconds so far of each RabbitMQ (beam) and Postgres process on this machine, by pid, from /proc; null where there is no /proc. */
function serviceCpuSeconds(): Map<string, { service: Service; seconds: number }> | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  const processes = new Map<string, { service: Service; seconds: number }>();
  for (const pid of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // ended meanwhile
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const service = name.startsWith("beam") ? "rabbitmq" : name.startsWith("postgres") ? "postgres" : null;
    if (!service) continue;
    // utime and stime: fields 14 and 15 of the line, the 12th and 13th after the command name.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    processes.set(pid, { service, seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND });
  }
  return processes;
}

/**
 * The CPU RabbitMQ and Postgres spent during a phase, per message moved: on a machine with few
 * cores, what the console makes Postgres do is taken from the broker. Counts the processes alive
 * at the end (from 0 for one that started meanwhile; a Postgres backend that exits during the
 * phase takes its share with it). Null without /proc.
 */
export function serviceCpu(): { stop(messages: number): ServiceCpu } {
  const start = serviceCpuSeconds();
  return {
    stop: (messages) => {
      const end = serviceCpuSeconds();
      if (!start || !end) return null;
      const total = { rabbitmq: 0, postgres: 0 };
      for (const [pid, { service, seconds }] of end) total[service] += seconds - (start.get(pid)?.seconds ?? 0);
      return { rabbitmq: (total.rabbitmq * 1e6) / messages, postgres: (total.postgres * 1e6) / messages };
    },
  };
}

/**
 * Wait until RabbitMQ and Postgres are idle (below `idleShare` of a core, together, over each of
 * two consecutive `stepMs` windows), at most `maxMs`; returns the seconds waited. Work a phase
 * leaves behind (the broker writing a seed or its store to disk, a plan's last writes) would
 * otherwise fall on the phase after it, and the phases run in a fixed order. Without /proc it
 * returns at once.
 */
export async function settle({ idleShare = 0.05, stepMs = 500, maxMs = 60_000 } = {}): Promise<number> {
  const started = performance.now();
  let quiet = 0;
  let last = serviceCpuSeconds();
  if (!last) return 0;
  while (quiet < 2 && performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    const now = serviceCpuSeconds()!;
    let busy = 0;
    for (const [pid, { seconds }] of now) busy += seconds - (last.get(pid)?.seconds ?? seconds);
    last = now;
    quiet = busy / (stepMs / 1000) < idleShare ? quiet + 1 : 0;
  }
  return (performance.now() - started) / 1000;
}

/** A phase's serviceCpu() figures as printed. */
export const serviceCpuText = (cpu: ServiceCpu) =>
  cpu ? `RabbitMQ ${cpu.rabbitmq.toFixed(0)} µs/msg, Postgres ${cpu.postgres.toFixed(0)} µs/msg` : "service CPU: no /proc";

/**
 * How many bulk_job_item rows the run updated, and the share that were HOT (the new version on
 * the same page, no index entry written: the outcome write is meant to be). Postgres counts a
 * backend's writes when it reports them, at the latest when it exits: so the plain pool, which
 * made the per-batch writes, is closed first (the next query opens another). Meant for a fresh
 * database whose plan updated no item.
 */
export async function itemUpdates(db: () => { $queryRaw<T>(query: TemplateStringsArray, ...values: unknown[]): Promise<T> }, closeSqlPool: () => Promise<void>): Promise<{ updates: number; hotShare: string }> {
  await closeSqlPool();
  for (let attempt = 0; ; attempt++) {
    const [row] = await db().$queryRaw<{ updates: bigint; hot: bigint }[]>`SELECT n_tup_upd AS updates, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'bulk_job_item'`;
    const updates = Number(row?.updates ?? 0);
    if (updates > 0 || attempt >= 20) return { updates, hotShare: updates > 0 ? `${((Number(row!.hot) * 100) / updates).toFixed(1)} %` : "—" };
    await new Promise((resolve) => setTimeout(resolve, 100)); // the backends' exit reports them
  }
}

/** Bytes as whole megabytes, for the printed figures. */
export const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * A fresh, migrated database for one benchmark run, and the bulk replay modules bound to it
 * (imported after DATABASE_URL is set: the config is read once, on first use). drop() it at the end.
 */
export async function bulkReplayBench(name: string) {
  const { createTestDatabase } = await import("../lib/db/test-database");
  const { migrateDatabase } = await import("../lib/db/migrate");
  const database = await createTestDatabase(name);
  await migrateDatabase(database.url);
  process.env.DATABASE_URL = database.url;
  const { db } = await import("../lib/db/client");
  const { stopJobs } = await import("../lib/jobs/boss");
  const { planBulkReplay } = await import("../lib/operations/bulk/plan");
  const { getBulkJob, startBulkJob } = await import("../lib/operations/bulk/control");
  const { runBulkJob } = await import("../lib/operations/bulk/runner");
  const { closeSqlPool } = await import("../lib/db/sql");
  /** Both connection pools closed, before the database is dropped. */
  const disconnect = async () => {
    await db().$disconnect();
    await closeSqlPool();
  };
  return { database, db, disconnect, closeSqlPool, stopJobs, planBulkReplay, getBulkJob, startBulkJob, runBulkJob };
}

/**
 * A CPU profile of one phase when BENCH_CPU_PROFILE names a directory: start() before the phase,
 * stop() after it writes `<dir>/<name>.cpuprofile` (open it in Chrome's DevTools, or summarise it
 * with `npx tsx bench/profile-summary.ts <file>`). Without the variable both are no-ops.
 */
export async function phaseProfile(name: string): Promise<{ stop(): Promise<void> }> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return { stop: async () => {} };
  const { Session } = await import("node:inspector/promises");
  const { mkdir, writeFile } = await import("node:fs/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  return {
    stop: async () => {
      const { profile } = await session.post("Profiler.stop");
      await mkdir(dir, { recursive: true });
      await writeFile(`${dir}/${name}.cpuprofile`, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/**
 * BENCH_ROUNDS=R (R > 1): run this bench R times, each in a fresh process with its own database,
 * queues and seed, one after another, print each round's output, then the median of every
 * "name: value" figure printed on a `ratio` line and of every msg/s figure. The machine's speed
 * moves by ±15 % between runs here (disk waits, shared cores), so one run's ratio is a sample,
 * not the figure. Returns false when the variable is unset or 1 (run the bench itself).
 */
export async function repeatRounds(): Promise<boolean> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
  if (!(rounds > 1)) return false;
  const { spawnSync } = await import("node:child_process");
  const figures = new Map<string, number[]>();
  for (let round = 1; round <= rounds; round++) {
    console.log(`\n=== round ${round} of ${rounds}`);
    const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      env: { ...process.env, BENCH_ROUNDS: "1" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * 1024 * 1024,
    });
    process.stdout.write(child.stdout);
    if (child.status !== 0) throw new Error(`round ${round} failed (exit ${child.status})`);
    const add = (name: string, value: string | undefined) => figures.set(name, [...(figures.get(name) ?? []), Number(value)]);
    for (const line of child.stdout.split("\n")) {
      const rate = /^\s*(\([a-z']+\))[^:]*:\s+(\d+) msg\/s/.exec(line);
      if (rate) {
        add(`${rate[1]} msg/s`, rate[2]);
        // CPU per message of this process, of RabbitMQ and of Postgres, where the line has them.
        const cpu = /this process's CPU (\d+) µs\/msg(?:, RabbitMQ (\d+) µs\/msg, Postgres (\d+) µs\/msg)?/.exec(line);
        if (cpu) add(`${rate[1]} node µs/msg`, cpu[1]);
        if (cpu?.[2]) add(`${rate[1]} RabbitMQ µs/msg`, cpu[2]);
        if (cpu?.[3]) add(`${rate[1]} Postgres µs/msg`, cpu[3]);
      }
      if (/^\s*ratio/.test(line)) {
        for (const [, name, value] of line.matchAll(/(\([a-z']+\)\/\([a-z']+\)):\s+([\d.]+)/g)) add(name!, value);
      }
    }
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  console.log(`\nmedian of ${rounds} rounds (each round's figures in brackets):`);
  for (const [name, values] of figures) {
    const digits = name.includes("/msg") || name.endsWith("msg/s") ? 0 : 2;
    console.log(`  ${name.padEnd(22)} ${median(values).toFixed(digits).padStart(7)}   [${values.map((value) => value.toFixed(digits)).join(", ")}]`);
  }
  return true;
}
