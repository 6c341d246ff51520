import { type Kysely, sql } from "kysely";
import { timestampType } from "./column-types.ts";

/**
 * API keys, stored only as a SHA-256 hash of the secret with its first characters for listing.
 * The CDR listing of the REST API reads `cdrs_account_idx` (account_id, started_at, id) from
 * migration 0003, so no index is added for it here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull().check(sql`scope in ('read', 'read-write')`))
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("secret_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .addColumn("last_used_at", timestampType(db))
    .addColumn("revoked_at", timestampType(db))
    .execute();
  await db.schema.createIndex("api_keys_account_idx").on("api_keys").columns(["account_id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("api_keys").execute();
}
