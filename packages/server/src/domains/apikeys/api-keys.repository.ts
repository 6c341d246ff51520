import type { Kysely, Selectable } from "kysely";
import type { ApiKeysTable, Database } from "../../db/schema.ts";
import type { ApiKey } from "./api-keys.types.ts";

const toApiKey = (row: Selectable<ApiKeysTable>): ApiKey => ({
  id: row.id,
  accountId: row.account_id,
  name: row.name,
  scope: row.scope,
  prefix: row.prefix,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export class ApiKeysRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(key: ApiKey & { secretHash: string }): Promise<void> {
    await this.db
      .insertInto("api_keys")
      .values({
        id: key.id,
        account_id: key.accountId,
        name: key.name,
        scope: key.scope,
        prefix: key.prefix,
        secret_hash: key.secretHash,
        created_at: key.createdAt,
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
  }

  async listByAccount(accountId: string): Promise<ApiKey[]> {
    const rows = await this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toApiKey);
  }

  async countActive(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom("api_keys")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("account_id", "=", accountId)
      .where("revoked_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findByHash(secretHash: string): Promise<ApiKey | undefined> {
    const row = await this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("secret_hash", "=", secretHash)
      .executeTakeFirst();
    return row && toApiKey(row);
  }

  /** Revokes the account's key; false when the account has no such key. Revoking twice is harmless. */
  async revoke(accountId: string, id: string, at: string): Promise<boolean> {
    const found = await this.db
      .selectFrom("api_keys")
      .select("revoked_at")
      .where("id", "=", id)
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    if (!found) return false;
    if (found.revoked_at === null) {
      await this.db
        .updateTable("api_keys")
        .set({ revoked_at: at })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .execute();
    }
    return true;
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable("api_keys").set({ last_used_at: at }).where("id", "=", id).execute();
  }
}
