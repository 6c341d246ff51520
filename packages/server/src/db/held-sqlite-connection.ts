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

/** The statement cache of each SQLite database Kysely was opened over (see openDatabase). */
const statementsOf = new WeakMap<Kysely<Database>, PrepareStatement>();

export function registerSqliteStatements(db: Kysely<Database>, prepare: PrepareStatement): void {
  statementsOf.set(db, prepare);
}

export function sqliteStatementsOf(db: Kysely<Database>): PrepareStatement | undefined {
  return statementsOf.get(db);
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
