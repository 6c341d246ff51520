import { type Kysely, PostgresAdapter, sql, type Transaction } from "kysely";
import { HeldSqliteConnection, sqliteAccessOf } from "./held-sqlite-connection.ts";
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
  const statements = sqliteAccessOf(db)?.prepare;
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      // The prebuilt hot queries run straight on the held connection (see HeldSqliteConnection).
      const result = await work(
        statements ? connection.withPlugin(new HeldSqliteConnection(statements)) : connection,
      );
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

/**
 * Group commit: work handed in while a transaction is being written waits and goes in the next
 * one, with everything else that arrived meanwhile, so a node doing a thousand small writes a
 * second commits far fewer transactions, and each caller's promise still settles only once its
 * own write is committed (or refused). Items run one after another, in the order handed in, each
 * seeing what the ones before it wrote.
 *
 * `run` may refuse an item by throwing an error `isRefusal` accepts, and must do so before it
 * writes anything: that item's promise rejects and the others go on. Any other error (the
 * database's) rolls the whole transaction back; each item of it is then tried again alone, so only
 * the item at fault fails.
 */
export class GroupCommit<Item, Result> {
  private queued: Array<{ item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }> =
    [];
  private writing = false;

  constructor(
    private readonly options: {
      transaction: <T>(work: (tx: Executor) => Promise<T>) => Promise<T>;
      run: (item: Item, tx: Executor) => Promise<Result>;
      isRefusal: (error: unknown) => boolean;
      /**
       * Runs first in each transaction with all its items: where items lock rows (PostgreSQL
       * `for update`), lock them all here in one fixed order, so two transactions never wait on
       * each other crosswise.
       */
      before?: (items: readonly Item[], tx: Executor) => Promise<void>;
      /** Items in one transaction at most (default 200). */
      maxBatch?: number;
      /**
       * How long the first item waits for others before its transaction starts, in ms (default 0:
       * the next turn of the event loop). better-sqlite3 writes synchronously, so nothing arrives
       * while a transaction is written and batches form only in this wait: a few milliseconds
       * turn one commit per item into one per batch at high rates.
       */
      collectMs?: number;
    },
  ) {}

  /** Resolves with the item's result once the transaction that wrote it is committed. */
  submit(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // Let what is read from the network meanwhile join the first batch.
        const collectMs = this.options.collectMs ?? 0;
        if (collectMs > 0) setTimeout(() => void this.drain(), collectMs);
        else setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const batch = this.queued.splice(0, this.options.maxBatch ?? 200);
        try {
          const outcomes = await this.write(batch.map((b) => b.item));
          for (const [i, waiting] of batch.entries()) {
            const outcome = outcomes[i] as Outcome<Result>;
            if (outcome.ok) waiting.resolve(outcome.result);
            else waiting.reject(outcome.error);
          }
        } catch {
          for (const waiting of batch) {
            try {
              const [outcome] = (await this.write([waiting.item])) as [Outcome<Result>];
              if (outcome.ok) waiting.resolve(outcome.result);
              else waiting.reject(outcome.error);
            } catch (error) {
              waiting.reject(error);
            }
          }
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private write(items: readonly Item[]): Promise<Array<Outcome<Result>>> {
    return this.options.transaction(async (tx) => {
      await this.options.before?.(items, tx);
      const outcomes: Array<Outcome<Result>> = [];
      for (const item of items) {
        try {
          outcomes.push({ ok: true, result: await this.options.run(item, tx) });
        } catch (error) {
          if (!this.options.isRefusal(error)) throw error;
          outcomes.push({ ok: false, error });
        }
      }
      return outcomes;
    });
  }
}

type Outcome<Result> = { ok: true; result: Result } | { ok: false; error: unknown };
