import { type Kysely, sql } from "kysely";
import { bigintType, timestampType } from "./column-types.ts";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("accounts").addColumn("caller_id", "text").execute();

  await db.schema
    .createTable("devices")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("username", "text", (c) => c.notNull().unique())
    .addColumn("realm", "text", (c) => c.notNull())
    .addColumn("ha1_md5", "text", (c) => c.notNull())
    .addColumn("ha1_sha256", "text", (c) => c.notNull())
    .addColumn("label", "text")
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex("devices_account_idx").on("devices").column("account_id").execute();

  await db.schema
    .createTable("registrations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("device_id", "text", (c) => c.notNull().references("devices.id").onDelete("cascade"))
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("contact_uri", "text", (c) => c.notNull())
    .addColumn("source_transport", "text", (c) => c.notNull())
    .addColumn("source_address", "text", (c) => c.notNull())
    .addColumn("source_port", "integer", (c) => c.notNull())
    .addColumn("connection_id", "text")
    .addColumn("node_id", "text", (c) => c.notNull())
    .addColumn("call_id", "text", (c) => c.notNull())
    .addColumn("cseq", "integer", (c) => c.notNull())
    .addColumn("q", "integer", (c) => c.notNull().defaultTo(1000))
    .addColumn("user_agent", "text")
    .addColumn("expires_at", timestampType(db), (c) => c.notNull())
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .addColumn("updated_at", timestampType(db), (c) => c.notNull())
    .addUniqueConstraint("registrations_device_contact_uq", ["device_id", "contact_uri"])
    .execute();
  await db.schema.createIndex("registrations_account_idx").on("registrations").column("account_id").execute();
  await db.schema.createIndex("registrations_expiry_idx").on("registrations").column("expires_at").execute();

  await db.schema
    .createTable("carriers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("host", "text", (c) => c.notNull())
    .addColumn("port", "integer", (c) => c.notNull())
    .addColumn("transport", "text", (c) => c.notNull().check(sql`transport in ('udp', 'tcp', 'tls')`))
    .addColumn("auth_username", "text")
    .addColumn("auth_password", "text")
    .addColumn("tech_prefix", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("strip_digits", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("priority", "integer", (c) => c.notNull().defaultTo(100))
    .addColumn("channel_limit", "integer")
    .addColumn("currency", "text", (c) => c.notNull().defaultTo("USD"))
    .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("reachable", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("probed_at", timestampType(db))
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("carrier_addresses")
    .addColumn("carrier_id", "text", (c) => c.notNull().references("carriers.id").onDelete("cascade"))
    .addColumn("address", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("carrier_addresses_pk", ["carrier_id", "address"])
    .execute();
  await db.schema
    .createIndex("carrier_addresses_address_idx")
    .on("carrier_addresses")
    .column("address")
    .execute();

  await db.schema
    .createTable("carrier_routes")
    .addColumn("carrier_id", "text", (c) => c.notNull().references("carriers.id").onDelete("cascade"))
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("cost_per_minute", bigintType(db), (c) => c.notNull())
    .addColumn("connect_cost", bigintType(db), (c) => c.notNull().defaultTo(0))
    .addColumn("initial_increment", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("subsequent_increment", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("description", "text")
    .addPrimaryKeyConstraint("carrier_routes_pk", ["carrier_id", "prefix"])
    .execute();
  await db.schema.createIndex("carrier_routes_prefix_idx").on("carrier_routes").column("prefix").execute();

  await db.schema
    .createTable("numbers")
    .addColumn("e164", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex("numbers_account_idx").on("numbers").column("account_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "numbers",
    "carrier_routes",
    "carrier_addresses",
    "carriers",
    "registrations",
    "devices",
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable("accounts").dropColumn("caller_id").execute();
}
