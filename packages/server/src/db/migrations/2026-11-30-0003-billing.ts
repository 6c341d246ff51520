import { type ColumnDefinitionBuilder, type Kysely, sql } from "kysely";
import { bigintType, isPostgres, timestampType } from "./column-types.ts";

/** An ever-growing integer key: identity in PostgreSQL, rowid alias in SQLite (ledger order). */
function sequenceKey(db: Kysely<any>) {
  return isPostgres(db)
    ? { type: sql`bigint`, build: (c: ColumnDefinitionBuilder) => c.primaryKey().generatedAlwaysAsIdentity() }
    : { type: sql`integer`, build: (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement() };
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("rate_plans")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("onnet_price_per_minute", bigintType(db), (c) => c.notNull().defaultTo(0))
    .addColumn("inbound_price_per_minute", bigintType(db), (c) => c.notNull().defaultTo(0))
    .addColumn("revision", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .addColumn("updated_at", timestampType(db), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("rate_plan_rates")
    .addColumn("plan_id", "text", (c) => c.notNull().references("rate_plans.id").onDelete("cascade"))
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("effective_from", timestampType(db), (c) => c.notNull())
    .addColumn("price_per_minute", bigintType(db), (c) => c.notNull())
    .addColumn("connect_fee", bigintType(db), (c) => c.notNull().defaultTo(0))
    .addColumn("initial_increment", "integer", (c) => c.notNull())
    .addColumn("subsequent_increment", "integer", (c) => c.notNull())
    .addColumn("minimum_charge", bigintType(db), (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("rate_plan_rates_pk", ["plan_id", "prefix", "effective_from"])
    .execute();

  await db.schema
    .alterTable("accounts")
    .addColumn("plan_id", "text", (c) => c.references("rate_plans.id"))
    .execute();
  await db.schema.alterTable("accounts").addColumn("low_balance_threshold", bigintType(db)).execute();

  await db.schema
    .createTable("balances")
    .addColumn("account_id", "text", (c) => c.primaryKey().references("accounts.id"))
    .addColumn("balance", bigintType(db), (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("updated_at", timestampType(db), (c) => c.notNull())
    .execute();

  const key = sequenceKey(db);
  await db.schema
    .createTable("ledger_entries")
    .addColumn("id", key.type, key.build)
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
    .addColumn("kind", "text", (c) =>
      c.notNull().check(sql`kind in ('topup', 'call_charge', 'refund', 'adjustment', 'reversal')`),
    )
    .addColumn("amount", bigintType(db), (c) => c.notNull())
    .addColumn("balance_after", bigintType(db), (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("reference", "text")
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("ledger_entries_account_idx")
    .on("ledger_entries")
    .columns(["account_id", "id"])
    .execute();
  await db.schema
    .createIndex("ledger_entries_reference_uq")
    .on("ledger_entries")
    .columns(["kind", "reference"])
    .unique()
    .execute();

  await db.schema
    .createTable("balance_warnings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
    .addColumn("threshold", bigintType(db), (c) => c.notNull())
    .addColumn("balance", bigintType(db), (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("ledger_entry_id", bigintType(db), (c) => c.notNull())
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .addColumn("notified_at", timestampType(db))
    .execute();
  await db.schema
    .createIndex("balance_warnings_pending_idx")
    .on("balance_warnings")
    .columns(["notified_at", "created_at"])
    .execute();

  await db.schema
    .createTable("calls_in_progress")
    .addColumn("call_id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
    .addColumn("node_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text")
    .addColumn("direction", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("destination", "text", (c) => c.notNull())
    .addColumn("carrier_id", "text")
    .addColumn("rate", "text", (c) => c.notNull())
    .addColumn("reserved", bigintType(db), (c) => c.notNull())
    .addColumn("covered_seconds", "integer", (c) => c.notNull())
    .addColumn("started_at", timestampType(db), (c) => c.notNull())
    .addColumn("answered_at", timestampType(db))
    .addColumn("last_heartbeat_at", timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("calls_in_progress_account_idx")
    .on("calls_in_progress")
    .column("account_id")
    .execute();
  await db.schema
    .createIndex("calls_in_progress_node_idx")
    .on("calls_in_progress")
    .columns(["node_id", "last_heartbeat_at"])
    .execute();

  // No foreign key to accounts: a call record outlives the account (legal hold) and erasure
  // replaces the link with a pseudonym that names no account.
  await db.schema
    .createTable("cdrs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("call_id", "text", (c) => c.notNull().unique())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text")
    .addColumn("direction", "text", (c) =>
      c.notNull().check(sql`direction in ('outbound', 'inbound', 'onnet')`),
    )
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("destination", "text", (c) => c.notNull())
    .addColumn("started_at", timestampType(db), (c) => c.notNull())
    .addColumn("answered_at", timestampType(db))
    .addColumn("ended_at", timestampType(db), (c) => c.notNull())
    .addColumn("duration_seconds", "integer", (c) => c.notNull())
    .addColumn("billed_seconds", "integer", (c) => c.notNull())
    .addColumn("cost", bigintType(db), (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("carrier_id", "text")
    .addColumn("sip_status", "integer")
    .addColumn("hangup_by", "text", (c) => c.notNull())
    .addColumn("node_id", "text", (c) => c.notNull())
    .addColumn("plan_id", "text")
    .addColumn("rate_prefix", "text")
    .execute();
  await db.schema
    .createIndex("cdrs_account_idx")
    .on("cdrs")
    .columns(["account_id", "started_at", "id"])
    .execute();
  await db.schema.createIndex("cdrs_started_idx").on("cdrs").columns(["started_at", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["cdrs", "calls_in_progress", "balance_warnings", "ledger_entries", "balances"]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable("accounts").dropColumn("low_balance_threshold").execute();
  await db.schema.alterTable("accounts").dropColumn("plan_id").execute();
  await db.schema.dropTable("rate_plan_rates").execute();
  await db.schema.dropTable("rate_plans").execute();
}
