import { type Kysely, sql } from "kysely";
import { bigintType, timestampType } from "./column-types.ts";

/**
 * Balance top-ups through PayPal. Only what the privacy policy (§2, "Payment data") allows is kept:
 * PayPal's references (order, capture, webhook event), amount, currency, status and times, with our
 * own ids and the account link. Never a card number and never who paid.
 *
 * `capture_id` is unique, and so is a webhook event's id: a capture credits once and an event is
 * handled once, however often PayPal (or the return page) brings it back.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("payments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
    .addColumn("order_id", "text", (c) => c.unique())
    .addColumn("capture_id", "text", (c) => c.unique())
    .addColumn("amount", bigintType(db), (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .check(
          sql`status in ('created', 'pending', 'completed', 'denied', 'cancelled', 'failed', 'flagged', 'partially_refunded', 'refunded', 'reversed')`,
        ),
    )
    .addColumn("refunded_amount", bigintType(db), (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", timestampType(db), (c) => c.notNull())
    .addColumn("updated_at", timestampType(db), (c) => c.notNull())
    .addColumn("completed_at", timestampType(db))
    .execute();
  await db.schema
    .createIndex("payments_account_idx")
    .on("payments")
    .columns(["account_id", "created_at"])
    .execute();
  await db.schema
    .createIndex("payments_status_idx")
    .on("payments")
    .columns(["status", "created_at"])
    .execute();

  await db.schema
    .createTable("payment_events")
    .addColumn("event_id", "text", (c) => c.primaryKey())
    .addColumn("payment_id", "text", (c) => c.references("payments.id"))
    .addColumn("account_id", "text", (c) => c.references("accounts.id"))
    .addColumn("event_type", "text", (c) => c.notNull())
    .addColumn("resource_id", "text")
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("received_at", timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("payment_events_payment_idx")
    .on("payment_events")
    .column("payment_id")
    .execute();
  await db.schema
    .createIndex("payment_events_account_idx")
    .on("payment_events")
    .column("account_id")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("payment_events").execute();
  await db.schema.dropTable("payments").execute();
}
