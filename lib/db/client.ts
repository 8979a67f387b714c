import "server-only";
// The app's Prisma client: one per process, on @prisma/adapter-pg, from the configured DATABASE_URL.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import { getConfig } from "@/lib/config";

// Next dev re-evaluates modules on every edit; keeping the client on globalThis stops each reload
// from opening another connection pool.
const holder = globalThis as typeof globalThis & { deadLetterConsoleDb?: PrismaClient };

/** The process-wide Prisma client, created on first use. */
export function db(): PrismaClient {
  if (holder.deadLetterConsoleDb) return holder.deadLetterConsoleDb;
  const { databaseUrl } = getConfig();
  if (!databaseUrl) {
    throw new Error("No database configured: DATABASE_URL is unset (npm run dev/start sets it for the embedded Postgres).");
  }
  holder.deadLetterConsoleDb = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  return holder.deadLetterConsoleDb;
}
