import type { Kysely, Selectable } from "kysely";
import type { Database, LegalDocumentsTable } from "../../db/schema.ts";
import type { LegalDocument } from "./legal.types.ts";

const toDocument = (row: Selectable<LegalDocumentsTable>): LegalDocument => ({
  document: row.document,
  version: row.version,
  title: row.title,
  body: row.body,
  effectiveAt: new Date(row.effective_at).toISOString(),
  publishedAt: new Date(row.published_at).toISOString(),
  material: Number(row.material) === 1,
  summary: row.summary,
  notifiedAt: row.notified_at === null ? null : new Date(row.notified_at).toISOString(),
  notifiedCount: row.notified_count === null ? null : Number(row.notified_count),
});

const toRow = (doc: LegalDocument): Selectable<LegalDocumentsTable> => ({
  document: doc.document,
  version: doc.version,
  title: doc.title,
  body: doc.body,
  effective_at: doc.effectiveAt,
  published_at: doc.publishedAt,
  material: doc.material ? 1 : 0,
  summary: doc.summary,
  notified_at: doc.notifiedAt,
  notified_count: doc.notifiedCount,
});

export class LegalRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes the version unless one with its document and label exists; says whether it wrote it. */
  async insertIfMissing(doc: LegalDocument): Promise<boolean> {
    const result = await this.db
      .insertInto("legal_documents")
      .values(toRow(doc))
      .onConflict((oc) => oc.columns(["document", "version"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async listAll(): Promise<LegalDocument[]> {
    const rows = await this.db.selectFrom("legal_documents").selectAll().orderBy("effective_at").execute();
    return rows.map(toDocument);
  }

  async markNotified(document: string, version: string, at: string, count: number): Promise<void> {
    await this.db
      .updateTable("legal_documents")
      .set({ notified_at: at, notified_count: count })
      .where("document", "=", document as LegalDocumentsTable["document"])
      .where("version", "=", version)
      .execute();
  }
}
