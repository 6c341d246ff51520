import type { Kysely } from "kysely";

/**
 * Routing keeps each carrier's buy-rate deck in memory. Replacing a deck bumps the carrier's
 * `deck_revision` in the same transaction, so a node that re-reads the carriers learns which decks
 * another process (the operator CLI, another node) replaced and reads only those again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("carriers")
    .addColumn("deck_revision", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("carriers").dropColumn("deck_revision").execute();
}
