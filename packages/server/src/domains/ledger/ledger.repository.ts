import { type Kysely, type Selectable, sql } from "kysely";
import type { BalanceWarningsTable, Database, LedgerEntriesTable } from "../../db/schema.ts";
import { type Executor, isPostgres, writeTransaction } from "../../db/write-transaction.ts";
import type {
  Balance,
  BalanceMismatch,
  BalanceWarning,
  BrokenEntry,
  LedgerEntry,
  LedgerEntryKind,
} from "./ledger.types.ts";

function toEntry(row: Selectable<LedgerEntriesTable>): LedgerEntry {
  return {
    id: Number(row.id),
    accountId: row.account_id,
    kind: row.kind,
    amount: Number(row.amount),
    balanceAfter: Number(row.balance_after),
    currency: row.currency,
    reason: row.reason,
    actor: row.actor,
    reference: row.reference,
    createdAt: row.created_at,
  };
}

function toWarning(row: Selectable<BalanceWarningsTable>): BalanceWarning {
  return {
    id: row.id,
    accountId: row.account_id,
    threshold: Number(row.threshold),
    balance: Number(row.balance),
    currency: row.currency,
    ledgerEntryId: Number(row.ledger_entry_id),
    createdAt: row.created_at,
    notifiedAt: row.notified_at,
  };
}

/** A balance row held for update, with the account's warning threshold. */
export interface LockedBalance extends Balance {
  lowBalanceThreshold: number | null;
}

/**
 * Ledger entries, balances kept in step with them, and low-balance warnings; also the billing-owned
 * `accounts.low_balance_threshold` column.
 */
export class LedgerRepository {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, work);
  }

  /**
   * The account's balance row, made at zero on first use and locked until the transaction ends
   * (`for update` on PostgreSQL; SQLite's write transaction holds the whole database). Undefined
   * when there is no such account.
   */
  async lockBalance(accountId: string, at: string, tx: Executor): Promise<LockedBalance | undefined> {
    const read = () =>
      tx
        .selectFrom("balances")
        .innerJoin("accounts", "accounts.id", "balances.account_id")
        .select(["balances.balance", "balances.currency", "accounts.low_balance_threshold"])
        .where("balances.account_id", "=", accountId)
        .$if(isPostgres(tx), (q) => q.forUpdate("balances"))
        .executeTakeFirst();
    let row = await read();
    if (!row) {
      const account = await tx
        .selectFrom("accounts")
        .select("currency")
        .where("id", "=", accountId)
        .executeTakeFirst();
      if (!account) return undefined;
      await tx
        .insertInto("balances")
        .values({ account_id: accountId, balance: 0, currency: account.currency, updated_at: at })
        .onConflict((oc) => oc.column("account_id").doNothing())
        .execute();
      row = await read();
      if (!row) return undefined;
    }
    return {
      accountId,
      balance: Number(row.balance),
      currency: row.currency,
      lowBalanceThreshold: row.low_balance_threshold === null ? null : Number(row.low_balance_threshold),
    };
  }

  async setBalance(accountId: string, balance: number, at: string, tx: Executor): Promise<void> {
    await tx
      .updateTable("balances")
      .set({ balance, updated_at: at })
      .where("account_id", "=", accountId)
      .execute();
  }

  async insertEntry(entry: Omit<LedgerEntry, "id">, tx: Executor): Promise<LedgerEntry> {
    const row = await tx
      .insertInto("ledger_entries")
      .values({
        account_id: entry.accountId,
        kind: entry.kind,
        amount: entry.amount,
        balance_after: entry.balanceAfter,
        currency: entry.currency,
        reason: entry.reason,
        actor: entry.actor,
        reference: entry.reference,
        created_at: entry.createdAt,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { ...entry, id: Number(row.id) };
  }

  async findByReference(
    kind: LedgerEntryKind,
    reference: string,
    tx: Executor = this.db,
  ): Promise<LedgerEntry | undefined> {
    const row = await tx
      .selectFrom("ledger_entries")
      .selectAll()
      .where("kind", "=", kind)
      .where("reference", "=", reference)
      .executeTakeFirst();
    return row && toEntry(row);
  }

  async findById(id: number): Promise<LedgerEntry | undefined> {
    const row = await this.db
      .selectFrom("ledger_entries")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toEntry(row);
  }

  async balance(accountId: string): Promise<Balance | undefined> {
    const row = await this.db
      .selectFrom("balances")
      .select(["account_id", "balance", "currency"])
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    return row && { accountId: row.account_id, balance: Number(row.balance), currency: row.currency };
  }

  /** The account's entries, newest first, older than entry `beforeId` when given. */
  async entries(accountId: string, limit: number, beforeId?: number): Promise<LedgerEntry[]> {
    const rows = await this.db
      .selectFrom("ledger_entries")
      .selectAll()
      .where("account_id", "=", accountId)
      .$if(beforeId !== undefined, (q) => q.where("id", "<", beforeId as number))
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }

  async setLowBalanceThreshold(accountId: string, threshold: number | null): Promise<void> {
    await this.db
      .updateTable("accounts")
      .set({ low_balance_threshold: threshold })
      .where("id", "=", accountId)
      .execute();
  }

  async insertWarning(warning: BalanceWarning, tx: Executor): Promise<void> {
    await tx
      .insertInto("balance_warnings")
      .values({
        id: warning.id,
        account_id: warning.accountId,
        threshold: warning.threshold,
        balance: warning.balance,
        currency: warning.currency,
        ledger_entry_id: warning.ledgerEntryId,
        created_at: warning.createdAt,
        notified_at: warning.notifiedAt,
      })
      .execute();
  }

  async pendingWarnings(limit: number): Promise<BalanceWarning[]> {
    const rows = await this.db
      .selectFrom("balance_warnings")
      .selectAll()
      .where("notified_at", "is", null)
      .orderBy("created_at")
      .limit(limit)
      .execute();
    return rows.map(toWarning);
  }

  async warningsOf(accountId: string): Promise<BalanceWarning[]> {
    const rows = await this.db
      .selectFrom("balance_warnings")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("created_at")
      .execute();
    return rows.map(toWarning);
  }

  async markWarningNotified(id: string, at: string): Promise<void> {
    await this.db.updateTable("balance_warnings").set({ notified_at: at }).where("id", "=", id).execute();
  }

  /** Every account whose kept balance differs from the sum of its entries (or has entries but no balance). */
  async balanceMismatches(): Promise<{ accounts: number; entries: number; mismatches: BalanceMismatch[] }> {
    const sums = await this.db
      .selectFrom("ledger_entries")
      .select((eb) => [
        "account_id",
        sql<number>`cast(sum(${eb.ref("amount")}) as bigint)`.as("total"),
        eb.fn.countAll<number>().as("entries"),
      ])
      .groupBy("account_id")
      .execute();
    const balances = await this.db.selectFrom("balances").select(["account_id", "balance"]).execute();
    const fromLedger = new Map(sums.map((s) => [s.account_id, Number(s.total)]));
    const mismatches: BalanceMismatch[] = [];
    for (const row of balances) {
      const expected = fromLedger.get(row.account_id) ?? 0;
      if (Number(row.balance) !== expected) {
        mismatches.push({ accountId: row.account_id, stored: Number(row.balance), fromLedger: expected });
      }
      fromLedger.delete(row.account_id);
    }
    for (const [accountId, total] of fromLedger)
      mismatches.push({ accountId, stored: null, fromLedger: total });
    return {
      accounts: balances.length,
      entries: sums.reduce((n, s) => n + Number(s.entries), 0),
      mismatches,
    };
  }

  /** Entries whose balance_after is not the running sum of their account's entries, in order. */
  async brokenEntries(limit: number): Promise<BrokenEntry[]> {
    const { rows } = await sql<{ id: number; account_id: string; balance_after: number; running: number }>`
      select id, account_id, balance_after, running from (
        select id, account_id, balance_after,
          cast(sum(amount) over (partition by account_id order by id rows unbounded preceding) as bigint) as running
        from ledger_entries
      ) as chained
      where balance_after <> running
      order by id
      limit ${limit}`.execute(this.db);
    return rows.map((row) => ({
      entryId: Number(row.id),
      accountId: row.account_id,
      balanceAfter: Number(row.balance_after),
      expected: Number(row.running),
    }));
  }
}
