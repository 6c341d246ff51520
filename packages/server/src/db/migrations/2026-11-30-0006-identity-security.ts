import type { Kysely } from "kysely";

/**
 * The connection log records API use as well as sign-ins: which key was used, so that one key from
 * one address is written at most once an hour. TOTP secrets need no new column: the service seals
 * them (AES-256-GCM) in the same text column and seals any plain ones left from before at start.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("connection_log").addColumn("api_key_id", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("connection_log").dropColumn("api_key_id").execute();
}
