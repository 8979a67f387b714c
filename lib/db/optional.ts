// For extras a page can live without (trends, top failures): when the database cannot answer, log
// why and return null, so live broker data still reaches the user.

/** The work's result, or null (logged) when it throws. */
export async function orNullWhenDatabaseFails<T>(what: string, work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    console.error(`[db] ${what} unavailable: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}
