import "server-only";
// A plain pg pool beside the Prisma client, for the few statements a bulk replay lane runs on
// every batch. Prisma's query pipeline costs ~0.7 ms of this process's CPU per statement, on the
// thread that also handles the broker's replies (measured here: 0.85 ms a `$queryRaw` against
// 0.11 ms a `pool.query`; 1.56 ms a one-statement interactive transaction against 0.24 ms), and a
// lane runs about ten a batch. Everything else stays on Prisma. Same database, same DATABASE_URL.
// Beside it, one connection that LISTENs (subscribe()): a running bulk job hears of a pause, a
// cancel or a rate change from it, instead of re-reading its row before every batch.
import pg from "pg";
import { getConfig } from "@/lib/config";

const holder = globalThis as typeof globalThis & { deadLetterConsoleSql?: pg.Pool; deadLetterConsoleListener?: Listener };

/** The process-wide pool, created on first use. Idle connections do not keep the process alive. */
export function sqlPool(): pg.Pool {
  if (holder.deadLetterConsoleSql) return holder.deadLetterConsoleSql;
  const databaseUrl = databaseUrlOrThrow();
  // The timeouts bound a transaction as Prisma's did for these statements (30 s): a stuck one cannot
  // hold the audit chain's lock for longer.
  const pool = new pg.Pool({
    connectionString: databaseUrl, max: 10, idleTimeoutMillis: 10_000, allowExitOnIdle: true,
    statement_timeout: 30_000, idle_in_transaction_session_timeout: 30_000,
  });
  // A connection that breaks while idle is dropped by the pool; the next query opens another. One
  // the server ended (a restart, a dropped database: admin_shutdown) is not worth a line.
  pool.on("error", (error: Error & { code?: string }) => {
    if (error.code !== "57P01") console.error(`postgres pool: idle connection failed: ${error.message}`);
  });
  holder.deadLetterConsoleSql = pool;
  return pool;
}

function databaseUrlOrThrow(): string {
  const { databaseUrl } = getConfig();
  if (!databaseUrl) {
    throw new Error("No database configured: DATABASE_URL is unset (npm run dev/start sets it for the embedded Postgres).");
  }
  return databaseUrl;
}

/** A client inside one transaction: committed when `work` resolves, rolled back when it throws. */
export async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await sqlPool().connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true; // the connection itself failed: do not give it back to the pool
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** A subscription to one notification channel (LISTEN). */
export interface Subscription {
  /** False once the connection it listens on was lost: notifications may have been missed since. */
  readonly live: boolean;
  /** Stop listening; the connection closes with its last subscription. */
  close(): void;
}

interface Subscriber {
  readonly onNotify: (payload: string) => void;
  readonly onLost: () => void;
  live: boolean;
}

/**
 * The process's one LISTEN connection: a plain pg client of its own (a pooled one would be given
 * back, and LISTEN lasts as long as the session). Opened by the first subscription, closed with
 * the last, so it never keeps a process alive that has nothing to listen for.
 */
class Listener {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly listening = new Map<string, Promise<unknown>>();
  private lost = false;
  readonly ready: Promise<void>;

  constructor(private readonly client: pg.Client) {
    client.on("notification", (message) => {
      for (const subscriber of this.subscribers.get(message.channel) ?? []) subscriber.onNotify(message.payload ?? "");
    });
    client.on("error", (error: Error) => this.lose(error));
    client.on("end", () => this.lose(null));
    this.ready = client.connect().then(() => undefined, (error: unknown) => {
      this.lose(null);
      throw error;
    });
    this.ready.catch(() => undefined); // awaited (and so thrown) by subscribe()
  }

  get usable(): boolean {
    return !this.lost;
  }

  async subscribe(channel: string, onNotify: (payload: string) => void, onLost: () => void): Promise<Subscription> {
    await this.ready;
    const subscriber: Subscriber = { onNotify, onLost, live: true };
    let set = this.subscribers.get(channel);
    if (!set) this.subscribers.set(channel, (set = new Set()));
    set.add(subscriber);
    let listened = this.listening.get(channel);
    if (!listened) this.listening.set(channel, (listened = this.client.query(`LISTEN ${this.client.escapeIdentifier(channel)}`)));
    try {
      await listened;
      if (this.lost) throw new Error("the notification connection was lost");
    } catch (error) {
      this.listening.delete(channel);
      this.remove(channel, subscriber);
      throw error;
    }
    return {
      get live() {
        return subscriber.live;
      },
      close: () => this.remove(channel, subscriber),
    };
  }

  private remove(channel: string, subscriber: Subscriber): void {
    const set = this.subscribers.get(channel);
    set?.delete(subscriber);
    if (set?.size === 0) this.subscribers.delete(channel);
    if (this.subscribers.size === 0) this.end();
  }

  /** The connection failed or ended: every subscriber hears it, and the next subscription opens another. */
  private lose(error: Error | null): void {
    if (this.lost) return;
    // One the server ended (a restart, a dropped database: admin_shutdown) is not worth a line.
    if (error && (error as Error & { code?: string }).code !== "57P01") console.error(`postgres notifications: connection failed: ${error.message}`);
    for (const subscriber of this.detach()) subscriber.onLost();
    this.client.end().catch(() => undefined);
  }

  /** Close the connection; subscriptions left turn not live, without being told. */
  end(): Promise<void> {
    this.detach();
    return this.client.end().catch(() => undefined);
  }

  /** No longer the process's listener: its subscribers, now not live. */
  private detach(): Subscriber[] {
    if (this.lost) return [];
    this.lost = true;
    if (holder.deadLetterConsoleListener === this) holder.deadLetterConsoleListener = undefined;
    const subscribers = [...this.subscribers.values()].flatMap((set) => [...set]);
    for (const subscriber of subscribers) subscriber.live = false;
    this.subscribers.clear();
    return subscribers;
  }
}

/**
 * Call `onNotify` with the payload of each NOTIFY on `channel` from when this resolves (the LISTEN
 * is in place by then). `onLost` is called, and `live` turns false, if the connection is lost:
 * whatever was notified after that was missed, so the subscriber must fall back to reading.
 */
export async function subscribe(channel: string, onNotify: (payload: string) => void, onLost: () => void = () => undefined): Promise<Subscription> {
  const listener = () => {
    if (!holder.deadLetterConsoleListener?.usable) holder.deadLetterConsoleListener = new Listener(new pg.Client({ connectionString: databaseUrlOrThrow() }));
    return holder.deadLetterConsoleListener;
  };
  const first = listener();
  try {
    return await first.subscribe(channel, onNotify, onLost);
  } catch (error) {
    // The connection closed under it (its last other subscription ended meanwhile, or it broke): once more, on a new one.
    if (first.usable) throw error;
    return listener().subscribe(channel, onNotify, onLost);
  }
}

/** Close the pool and the notification connection (tests and scripts that end the process cleanly). */
export async function closeSqlPool(): Promise<void> {
  const pool = holder.deadLetterConsoleSql;
  const listener = holder.deadLetterConsoleListener;
  holder.deadLetterConsoleSql = undefined;
  holder.deadLetterConsoleListener = undefined;
  await Promise.all([pool?.end(), listener?.end()]);
}
