import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { OwnedNumber } from "./numbers.types.ts";

export class NumbersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(number: OwnedNumber): Promise<void> {
    await this.db
      .insertInto("numbers")
      .values({ e164: number.e164, account_id: number.accountId, created_at: number.createdAt })
      .execute();
  }

  async find(e164: string): Promise<OwnedNumber | undefined> {
    const row = await this.db.selectFrom("numbers").selectAll().where("e164", "=", e164).executeTakeFirst();
    return row && { e164: row.e164, accountId: row.account_id, createdAt: row.created_at };
  }

  async listByAccount(accountId: string): Promise<OwnedNumber[]> {
    const rows = await this.db
      .selectFrom("numbers")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("e164")
      .execute();
    return rows.map((row) => ({ e164: row.e164, accountId: row.account_id, createdAt: row.created_at }));
  }
}
