import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema.ts";

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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: "sqlite",
    location: path,
    async close() {
      await db.destroy();
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
