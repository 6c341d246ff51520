import { type Kysely, sql } from "kysely";

/**
 * The only place the migrations differ between SQLite and PostgreSQL. Frozen: migrations that
 * already ran depend on what these return, so change nothing here; add a new helper instead.
 */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

/** A UTC instant: timestamptz in PostgreSQL, ISO-8601 TEXT in SQLite. */
export function timestampType(db: Kysely<any>) {
  return isPostgres(db) ? sql`timestamptz` : sql`text`;
}

/** A 64-bit integer (money in micro-units, counters). */
export function bigintType(db: Kysely<any>) {
  return isPostgres(db) ? sql`bigint` : sql`integer`;
}
