import type { Kysely } from "kysely";
import { timestampType } from "./column-types.ts";

/**
 * Versions of the Terms and the Privacy Policy, each with the date it takes effect (privacy policy
 * §12). The versions shipped with Zaqros are written here on first use; operators publish later
 * ones with `zaqros legal publish`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("legal_documents")
    .addColumn("document", "text", (c) => c.notNull())
    .addColumn("version", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("effective_at", timestampType(db), (c) => c.notNull())
    .addColumn("published_at", timestampType(db), (c) => c.notNull())
    .addColumn("material", "integer", (c) => c.notNull())
    .addColumn("summary", "text")
    .addColumn("notified_at", timestampType(db))
    .addColumn("notified_count", "integer")
    .addPrimaryKeyConstraint("legal_documents_pk", ["document", "version"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("legal_documents").execute();
}
