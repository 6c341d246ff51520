import { type Kysely, sql } from "kysely";
import { timestampType } from "./column-types.ts";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("accounts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("phone", "text")
    .addColumn("password_hash", "text")
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("active").check(sql`status in ('active', 'suspended', 'closed')`),
    )
    .addColumn("country", "text", (c) => c.notNull().defaultTo("US"))
    .addColumn("currency", "text", (c) => c.notNull().defaultTo("USD"))
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .addColumn("updated_at", timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex("accounts_status_idx").on("accounts").column("status").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("accounts").execute();
}
