import type { Kysely, Selectable, Transaction } from "kysely";
import type { AccountsTable, Database } from "../../db/schema.ts";
import type { Account } from "./accounts.types.ts";

type Executor = Kysely<Database> | Transaction<Database>;

function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    status: row.status,
    country: row.country,
    currency: row.currency,
    callerId: row.caller_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class AccountsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(account: Omit<Account, "status"> & { status?: Account["status"] }, tx: Executor = this.db) {
    await tx
      .insertInto("accounts")
      .values({
        id: account.id,
        name: account.name,
        email: account.email,
        phone: account.phone,
        password_hash: null,
        status: account.status ?? "active",
        country: account.country,
        currency: account.currency,
        caller_id: account.callerId,
        created_at: account.createdAt,
        updated_at: account.updatedAt,
      })
      .execute();
  }

  async setCallerId(id: string, callerId: string | null, updatedAt: string, tx: Executor = this.db) {
    await tx
      .updateTable("accounts")
      .set({ caller_id: callerId, updated_at: updatedAt })
      .where("id", "=", id)
      .execute();
  }

  async updateProfile(id: string, profile: { name: string; phone: string | null }, at: string) {
    await this.db
      .updateTable("accounts")
      .set({ name: profile.name, phone: profile.phone, updated_at: at })
      .where("id", "=", id)
      .execute();
  }

  async findById(id: string, tx: Executor = this.db): Promise<Account | undefined> {
    const row = await tx.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toAccount(row);
  }

  async findByEmail(email: string, tx: Executor = this.db): Promise<Account | undefined> {
    const row = await tx.selectFrom("accounts").selectAll().where("email", "=", email).executeTakeFirst();
    return row && toAccount(row);
  }

  /** Active accounts' ids and addresses in id order, a page at a time after `afterId`. */
  async listActiveContacts(
    afterId: string | null,
    limit: number,
  ): Promise<Array<{ id: string; email: string }>> {
    let query = this.db
      .selectFrom("accounts")
      .select(["id", "email"])
      .where("status", "=", "active")
      .orderBy("id")
      .limit(limit);
    if (afterId !== null) query = query.where("id", ">", afterId);
    return query.execute();
  }
}
