import { type Kysely, PostgresAdapter, sql, type Transaction } from "kysely";
import type { Database } from "./schema.ts";

/** A connection inside a transaction, or the root handle when a query needs none. */
export type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Runs `work` in a transaction that intends to write after it reads (a balance read, then a
 * ledger entry). On SQLite it starts with `BEGIN IMMEDIATE`: a plain `BEGIN` takes the write lock
 * only at the first write, and when another process wrote in between, SQLite refuses the upgrade
 * with SQLITE_BUSY instead of waiting. On PostgreSQL it is an ordinary transaction; rows are
 * locked with `select ... for update` where it matters.
 */
export async function writeTransaction<T>(
  db: Kysely<Database>,
  work: (tx: Executor) => Promise<T>,
): Promise<T> {
  if (isPostgres(db)) return db.transaction().execute(work);
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      // SQLite may have rolled back already (some errors end the transaction); the first error is the news.
      await sql`rollback`.execute(connection).catch(() => {});
      throw error;
    }
  });
}

/** True on PostgreSQL, where rows can be locked (`for update`) and several connections run at once. */
export function isPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
