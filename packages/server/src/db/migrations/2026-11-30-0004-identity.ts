import type { Kysely } from "kysely";
import { bigintType, timestampType } from "./column-types.ts";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("accounts").addColumn("email_verified_at", timestampType(db)).execute();
  await db.schema.alterTable("accounts").addColumn("totp_secret", "text").execute();
  await db.schema.alterTable("accounts").addColumn("totp_enabled_at", timestampType(db)).execute();
  await db.schema.alterTable("accounts").addColumn("totp_last_step", bigintType(db)).execute();

  await db.schema
    .createTable("consents")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("document", "text", (c) => c.notNull())
    .addColumn("version", "text", (c) => c.notNull())
    .addColumn("accepted_at", timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex("consents_account_idx").on("consents").column("account_id").execute();

  await db.schema
    .createTable("identity_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("new_email", "text")
    .addColumn("expires_at", timestampType(db), (c) => c.notNull())
    .addColumn("used_at", timestampType(db))
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("identity_tokens_account_idx")
    .on("identity_tokens")
    .column("account_id")
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    .addColumn("public_id", "text", (c) => c.notNull().unique())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .addColumn("last_seen_at", timestampType(db), (c) => c.notNull())
    .addColumn("authenticated_at", timestampType(db), (c) => c.notNull())
    .addColumn("expires_at", timestampType(db), (c) => c.notNull())
    .addColumn("ip_address", "text")
    .addColumn("user_agent", "text")
    .execute();
  await db.schema.createIndex("sessions_account_idx").on("sessions").column("account_id").execute();

  await db.schema
    .createTable("login_throttle")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("locked_until", timestampType(db))
    .addColumn("updated_at", timestampType(db), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("recovery_codes")
    .addColumn("code_hash", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("used_at", timestampType(db))
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("recovery_codes_account_idx")
    .on("recovery_codes")
    .column("account_id")
    .execute();

  await db.schema
    .createTable("connection_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("ip_address", "text")
    .addColumn("user_agent", "text")
    .addColumn("country", "text")
    .addColumn("city", "text")
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("connection_log_account_idx")
    .on("connection_log")
    .columns(["account_id", "created_at"])
    .execute();

  await db.schema
    .createTable("mail_outbox")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("recipient", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "mail_outbox",
    "connection_log",
    "recovery_codes",
    "login_throttle",
    "sessions",
    "identity_tokens",
    "consents",
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable("accounts").dropColumn("totp_last_step").execute();
  await db.schema.alterTable("accounts").dropColumn("totp_enabled_at").execute();
  await db.schema.alterTable("accounts").dropColumn("totp_secret").execute();
  await db.schema.alterTable("accounts").dropColumn("email_verified_at").execute();
}
