import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, type SqliteDatabase, sql } from "kysely";
import pg from "pg";
import { type PrepareStatement, registerSqliteAccess } from "./held-sqlite-connection.ts";
import type { Database } from "./schema.ts";
import { TrackedSqliteDialect } from "./tracked-sqlite-dialect.ts";

export type DialectName = "sqlite" | "postgres";

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** Where the data lives, for messages to operators (password-free). */
  readonly location: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent SQLite is used. */
  databaseUrl?: string | undefined;
  /** Folder for the SQLite file. */
  dataDir: string;
  /** SQLite file name inside dataDir, or ":memory:". */
  sqliteFile?: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
}

// PostgreSQL returns timestamptz as Date and bigint as string by default; the application works
// with ISO strings and JS numbers (micro-units stay far below 2^53), on both dialects alike.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (text) => new Date(text).toISOString());
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text));

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.maxConnections ?? 10 });
    // An idle client that loses its server must not crash the process.
    pool.on("error", () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const url = new URL(options.databaseUrl);
    url.password = "";
    return { db, dialect: "postgres", location: url.toString(), close: () => db.destroy() };
  }
  const file = options.sqliteFile ?? "zaqros.db";
  const path = file === ":memory:" ? file : join(options.dataDir, file);
  if (file !== ":memory:") mkdirSync(options.dataDir, { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  // Checkpoint the WAL every ~40 MB instead of SQLite's ~4 MB: a busy node rewrites the same few
  // pages (calls in progress, balances) in commit after commit, and a checkpoint copies each page
  // once however often it changed, and syncs the file once. Measured under the calls/s benchmark:
  // commit time per call 69 µs -> 51 µs.
  sqlite.pragma("wal_autocheckpoint = 10000");
  const database = reusingStatements(sqlite);
  const dialect = new TrackedSqliteDialect({ database });
  const db = new Kysely<Database>({ dialect });
  registerSqliteAccess(db, {
    prepare: database.prepare,
    idle: () => !dialect.connectionHeld && !sqlite.inTransaction,
  });
  return {
    db,
    dialect: "sqlite",
    location: path,
    async close() {
      await db.destroy();
    },
  };
}

/** How many prepared statements a SQLite connection keeps for reuse (distinct SQL texts). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The SQLite database as Kysely sees it, with each SQL text prepared once and its statement reused:
 * Kysely calls `prepare` for every query, and compiling the SQL cost more than running it on the
 * call path (a tenth of the server's CPU in bench/b2bua). A better-sqlite3 statement may run any
 * number of times with new parameters, inside or outside a transaction (one connection, so a
 * transaction is a span of time, not a property of the statement). The one exception is a
 * statement still iterating a result (`busy`, from Kysely's `stream()`): a query with the same SQL
 * then gets a statement of its own. The cache is bounded (least recently prepared goes first), as
 * queries built with `in (?, ?, ...)` make a distinct SQL text per list length.
 */
function reusingStatements(sqlite: SQLite.Database): SqliteDatabase & { prepare: PrepareStatement } {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const cached = statements.get(sql);
      if (cached && !cached.busy) {
        // Re-inserting keeps the map in order of use, oldest first.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (cached) return statement;
      statements.set(sql, statement);
      if (statements.size > STATEMENT_CACHE_SIZE) {
        statements.delete(statements.keys().next().value as string);
      }
      return statement;
    },
  };
}

/** True when the database answers a trivial query. */
export async function pingDatabase(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
