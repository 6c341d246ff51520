import { type Compilable, CompiledQuery } from "kysely";
import { heldSqliteConnection, type PrepareStatement, sqliteAccessOf } from "./held-sqlite-connection.ts";
import { type Executor, isPostgres } from "./write-transaction.ts";

/** Stand-ins for the arguments while the query is built once; never sent to the database. */
const sentinel = (index: number) => `\u0000query-template-argument-${index}\u0000`;

type Part = { argument: number } | { constant: unknown };

/**
 * A query built and compiled once per dialect and then run with new values: for the few queries
 * every call or REGISTER runs, where building and compiling the query with Kysely cost more CPU
 * than SQLite took to run it. `build` must pass each argument straight through as a value (a
 * bound parameter): it is called once with stand-ins, and a stand-in that does not come out as a
 * bound parameter at least once (or comes out inside the SQL text) is an error at first use.
 */
export function queryTemplate<Args extends readonly unknown[], Row>(
  arity: Args["length"],
  build: (db: Executor, ...args: Args) => Compilable<Row>,
): (db: Executor, ...args: Args) => Promise<Row[]> {
  const prepared = prepareTemplate(arity, build);
  return async (db, ...args) => {
    const { sql, parameters } = prepared(db, args);
    const prepare = directStatements(db);
    if (prepare) {
      // As Kysely's SQLite driver does: rows from a statement that returns them, else run it.
      const statement = prepare(sql);
      if (statement.reader) return statement.all(parameters) as Row[];
      statement.run(parameters);
      return [];
    }
    const result = await db.executeQuery<Row>(CompiledQuery.raw(sql, parameters));
    return result.rows;
  };
}

/**
 * A write (insert, update, delete without `returning`) built once like {@link queryTemplate};
 * running it resolves with the number of rows it changed.
 */
export function commandTemplate<Args extends readonly unknown[]>(
  arity: Args["length"],
  build: (db: Executor, ...args: Args) => Compilable<unknown>,
): (db: Executor, ...args: Args) => Promise<number> {
  const prepared = prepareTemplate(arity, build);
  return async (db, ...args) => {
    const { sql, parameters } = prepared(db, args);
    const prepare = directStatements(db);
    if (prepare) return prepare(sql).run(parameters).changes;
    const result = await db.executeQuery(CompiledQuery.raw(sql, parameters));
    return Number(result.numAffectedRows ?? 0);
  };
}

/**
 * Where a template may run its statement straight on the SQLite connection, skipping Kysely's
 * connection request and promise chain: inside a write transaction that holds the connection
 * (HeldSqliteConnection), and on the root handle while the connection is idle (no transaction
 * open, nobody holding it), as most of the reads of every REGISTER and call find it. Anywhere
 * else (a transaction in progress, PostgreSQL) it goes through Kysely, which waits its turn.
 */
function directStatements(db: Executor): PrepareStatement | undefined {
  const held = heldSqliteConnection(db);
  if (held) return held.prepare;
  const access = sqliteAccessOf(db);
  return access?.idle() ? access.prepare : undefined;
}

/** The SQL of a template for the executor's dialect (compiled on first use) and its parameters for `args`. */
function prepareTemplate<Args extends readonly unknown[]>(
  arity: number,
  build: (db: Executor, ...args: Args) => Compilable<unknown>,
): (db: Executor, args: Args) => { sql: string; parameters: unknown[] } {
  const compiled = new Map<boolean, { sql: string; parts: Part[] }>();
  const compile = (db: Executor) => {
    const stand = Array.from({ length: arity }, (_, i) => sentinel(i)) as unknown as Args;
    const query = build(db, ...stand).compile();
    const parts: Part[] = query.parameters.map((value) => {
      const index = stand.indexOf(value as never);
      return index === -1 ? { constant: value } : { argument: index };
    });
    const used = parts.flatMap((p) => ("argument" in p ? [p.argument] : []));
    const misused = query.sql.includes("\u0000") || new Set(used).size !== arity;
    if (misused) throw new Error(`queryTemplate: each argument must be a bound parameter in ${query.sql}`);
    return { sql: query.sql, parts };
  };
  return (db, args) => {
    const postgres = isPostgres(db);
    let template = compiled.get(postgres);
    if (!template) {
      template = compile(db);
      compiled.set(postgres, template);
    }
    const parameters = template.parts.map((p) => ("argument" in p ? args[p.argument] : p.constant));
    return { sql: template.sql, parameters };
  };
}
