import { type Kysely, sql } from "kysely";
import { bigintType, isPostgres, timestampType } from "./column-types.ts";

/** Bytes: bytea in PostgreSQL, BLOB in SQLite (both read back as a Buffer). */
function bytesType(db: Kysely<any>) {
  return isPostgres(db) ? sql`bytea` : sql`blob`;
}

/**
 * Data-subject rights (privacy policy §9): consents become a ledger (withdrawal, notice text),
 * requests with due dates and history, access archives, and restriction/objection flags.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("consents").addColumn("notice_text", "text").execute();
  await db.schema.alterTable("consents").addColumn("withdrawn_at", timestampType(db)).execute();

  // No foreign key to accounts: the record of a request outlives everything it was about.
  await db.schema
    .createTable("privacy_requests")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("received_at", timestampType(db), (c) => c.notNull())
    .addColumn("due_at", timestampType(db), (c) => c.notNull())
    .addColumn("extended_at", timestampType(db))
    .addColumn("execute_after", timestampType(db))
    .addColumn("closed_at", timestampType(db))
    .addColumn("details", "text")
    .addColumn("reporter_email", "text")
    .addColumn("result", "text")
    .execute();
  await db.schema
    .createIndex("privacy_requests_account_idx")
    .on("privacy_requests")
    .column("account_id")
    .execute();
  await db.schema
    .createIndex("privacy_requests_status_idx")
    .on("privacy_requests")
    .columns(["status", "due_at"])
    .execute();

  await db.schema
    .createTable("privacy_request_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    // No foreign key: retention removes a request and its steps independently, each by its own date.
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("account_id", "text")
    .addColumn("at", timestampType(db), (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("note", "text")
    .execute();
  await db.schema
    .createIndex("privacy_request_events_request_idx")
    .on("privacy_request_events")
    .columns(["request_id", "at"])
    .execute();

  await db.schema
    .createTable("privacy_exports")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .addColumn("ready_at", timestampType(db))
    .addColumn("expires_at", timestampType(db))
    .addColumn("size_bytes", bigintType(db))
    .addColumn("archive", bytesType(db))
    .execute();
  await db.schema
    .createIndex("privacy_exports_account_idx")
    .on("privacy_exports")
    .columns(["account_id", "created_at"])
    .execute();

  await db.schema
    .createTable("privacy_preferences")
    .addColumn("account_id", "text", (c) => c.primaryKey().references("accounts.id").onDelete("cascade"))
    .addColumn("restricted_at", timestampType(db))
    .addColumn("objected_at", timestampType(db))
    .addColumn("updated_at", timestampType(db), (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "privacy_preferences",
    "privacy_exports",
    "privacy_request_events",
    "privacy_requests",
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable("consents").dropColumn("withdrawn_at").execute();
  await db.schema.alterTable("consents").dropColumn("notice_text").execute();
}
