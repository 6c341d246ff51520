import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

export class PrivacyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every column of every table in the database, as `table.column`. */
  async listColumns(): Promise<string[]> {
    const tables = await this.db.introspection.getTables({ withInternalKyselyTables: true });
    return tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`));
  }
}
