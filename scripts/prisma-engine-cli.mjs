// The one-shot commands the prisma CLI runs as `schema-engine --datasource '{"url":...}' cli <command>`
// before `migrate dev`, `db push` and `migrate reset`: check that the database exists, create it if not.
// The Wasm engine has neither, so they are done here with pg, reporting failures the way the native
// engine does (a JSON log line on stderr with an error_code the CLI acts on, then exit code 1).
import pg from "pg";
import { connectionConfigFromUrl } from "./prisma-engine-adapter.mjs";

/** A failure the CLI shows to the user, with Prisma's error code where there is one. */
export class UserFacingError extends Error {
  constructor(message, errorCode) {
    super(message);
    this.errorCode = errorCode;
  }
}

const serverAddress = (config) => `${config.host ?? "localhost"}:${config.port ?? 5432}`;

function toUserFacingError(error, config) {
  if (error?.code === "3D000") {
    return new UserFacingError(
      `Database \`${config.database}\` does not exist on the database server at \`${serverAddress(config)}\`.`,
      "P1003",
    );
  }
  if (error?.code === "28P01" || error?.code === "28000") {
    return new UserFacingError(
      `Authentication failed against database server at \`${serverAddress(config)}\`, the provided database credentials for \`${config.user}\` are not valid.`,
      "P1000",
    );
  }
  if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT"].includes(error?.code)) {
    return new UserFacingError(
      `Can't reach database server at \`${serverAddress(config)}\`\n\nPlease make sure your database server is running at \`${serverAddress(config)}\`.`,
      "P1001",
    );
  }
  return error;
}

async function withClient(config, work) {
  const client = new pg.Client(config);
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    throw toUserFacingError(error, config);
  } finally {
    await client.end().catch(() => undefined); // already closed after a failed connect
  }
}

/** Connects to the database named in `url`; throws a UserFacingError (P1003 if it is missing). */
export async function canConnectToDatabase(url) {
  await withClient(connectionConfigFromUrl(url), (client) => client.query("SELECT 1"));
}

/** Creates the database named in `url`, connected to the server's maintenance database. */
export async function createDatabase(url) {
  const config = connectionConfigFromUrl(url);
  const database = config.database;
  if (!database) throw new UserFacingError("The datasource URL names no database to create.");
  const quoted = `"${database.replaceAll('"', '""')}"`;
  const create = (maintenanceDatabase) =>
    withClient({ ...config, database: maintenanceDatabase }, async (client) => {
      try {
        await client.query(`CREATE DATABASE ${quoted}`);
      } catch (error) {
        if (error?.code !== "42P04") throw error; // 42P04: created meanwhile by someone else
      }
    });
  try {
    await create("postgres");
  } catch (error) {
    // Some servers have no `postgres` database; template1 always exists.
    if (!(error instanceof UserFacingError && error.errorCode === "P1003")) throw error;
    await create("template1");
  }
  return database;
}

function logLine(level, fields) {
  const line = { timestamp: new Date().toISOString(), level, fields, target: "schema_engine::logger" };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

/** Runs `cli <command>` and exits the process with the native engine's exit codes. */
export async function runCliCommand(command, datasource) {
  // The CLI skips the first stderr line (the native engine's start-up log) before it looks for errors.
  logLine("INFO", { message: "Starting schema engine CLI (wasm stand-in)" });
  try {
    if (!datasource?.url) throw new UserFacingError("No datasource URL: set DATABASE_URL (read by prisma.config.ts).");
    if (command === "can-connect-to-database") {
      await canConnectToDatabase(datasource.url);
    } else if (command === "create-database") {
      const database = await createDatabase(datasource.url);
      logLine("INFO", { message: `Database '${database}' was successfully created.` });
    } else {
      throw new UserFacingError(`Unknown schema engine cli command: ${command}`);
    }
    process.exit(0);
  } catch (error) {
    const fields = { message: error instanceof Error ? error.message : String(error) };
    if (error instanceof UserFacingError && error.errorCode) fields.error_code = error.errorCode;
    logLine("ERROR", fields);
    process.exit(1);
  }
}
