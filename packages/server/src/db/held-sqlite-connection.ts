import type SQLite from "better-sqlite3";
import type {
  Kysely,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";
import type { Database } from "./schema.ts";

/** Hands out a prepared statement for an SQL text (the connection's statement cache). */
export type PrepareStatement = (sql: string) => SQLite.Statement;

/** What a root Kysely handle over SQLite lets the prebuilt hot queries use (see openDatabase). */
export interface SqliteAccess {
  /** The connection's statement cache. */
  prepare: PrepareStatement;
  /**
   * True while nobody holds the connection: no transaction, no query, no result being streamed
   * (Kysely's connection is not acquired and SQLite is in autocommit mode). A statement run
   * directly then is exactly what Kysely would run once it had acquired the connection.
   */
  idle(): boolean;
}

/** The SQLite access of each database Kysely was opened over (see openDatabase). */
const accessOf = new WeakMap<Kysely<Database>, SqliteAccess>();

export function registerSqliteAccess(db: Kysely<Database>, access: SqliteAccess): void {
  accessOf.set(db, access);
}

/** Only for the root handle `openDatabase` returned; transactions and other handles have none. */
export function sqliteAccessOf(db: unknown): SqliteAccess | undefined {
  return accessOf.get(db as Kysely<Database>);
}

/**
 * Marks a Kysely handle that holds the SQLite connection for a write transaction, and gives the
 * prebuilt hot queries (queryTemplate, commandTemplate) its statements to run directly.
 *
 * better-sqlite3 runs a statement synchronously; Kysely wraps each one in a connection request
 * and a chain of promises (about a dozen objects a query), which on the busiest path, the writes
 * of every call and REGISTER, cost more than the statement itself. While a write transaction runs,
 * the connection is held by it (SQLite has one, and Kysely's lock keeps every other user waiting),
 * so a statement run directly on it runs inside that transaction, in the order the transaction's
 * code asks, exactly as through Kysely. Queries outside a transaction keep going through Kysely
 * and its lock.
 *
 * A plugin because Kysely passes plugins on to the handles it derives; it changes no query.
 */
export class HeldSqliteConnection implements KyselyPlugin {
  constructor(readonly prepare: PrepareStatement) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The held connection when `db` runs inside a SQLite write transaction, else undefined. */
export function heldSqliteConnection(db: {
  getExecutor(): { plugins: readonly KyselyPlugin[] };
}): HeldSqliteConnection | undefined {
  const plugins = db.getExecutor().plugins;
  for (let i = plugins.length - 1; i >= 0; i--) {
    const plugin = plugins[i];
    if (plugin instanceof HeldSqliteConnection) return plugin;
  }
  return undefined;
}
