import { CompiledQuery, type Kysely, type Selectable, sql } from "kysely";
import { queryTemplate } from "../../db/query-template.ts";
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

const lockedBalanceOf = queryTemplate(1, (db, accountId: string) =>
  db
    .selectFrom("balances")
    .innerJoin("accounts", "accounts.id", "balances.account_id")
    .select([
      "balances.account_id",
      "balances.balance",
      "balances.currency",
      "accounts.low_balance_threshold",
    ])
    .where("balances.account_id", "=", accountId)
    .$if(isPostgres(db), (q) => q.forUpdate("balances")),
);

/** Ids in one `in (...)` list: well inside both databases' parameter limits. */
const IN_LIST_BATCH = 500;
/** Nine values a row. */
const ENTRY_BATCH = 1_000;

/** Columns a batched insert writes, with their PostgreSQL types. */
const ENTRY_COLUMNS = [
  ["account_id", "text"],
  ["kind", "text"],
  ["amount", "bigint"],
  ["balance_after", "bigint"],
  ["currency", "text"],
  ["reason", "text"],
  ["actor", "text"],
  ["reference", "text"],
  ["created_at", "timestamptz"],
] as const;
const ENTRY_COLUMN_LIST = ENTRY_COLUMNS.map(([name]) => name).join(", ");

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
   * The accounts' balance rows, made at zero on first use and locked until the transaction ends
   * (`for update` on PostgreSQL, taken in account order so two transactions never wait on each
   * other crosswise; SQLite's write transaction holds the whole database). Accounts that do not
   * exist are missing from the result.
   */
  async lockBalances(
    accountIds: readonly string[],
    at: string,
    tx: Executor,
  ): Promise<Map<string, LockedBalance>> {
    const ids = [...new Set(accountIds)].sort();
    const locked = new Map<string, LockedBalance>();
    for (let i = 0; i < ids.length; i += IN_LIST_BATCH) {
      const chunk = ids.slice(i, i + IN_LIST_BATCH);
      for (const row of await this.readLocked(chunk, tx)) locked.set(row.accountId, row);
      const missing = chunk.filter((id) => !locked.has(id));
      if (missing.length === 0) continue;
      const accounts = await tx
        .selectFrom("accounts")
        .select(["id", "currency"])
        .where("id", "in", missing)
        .execute();
      if (accounts.length === 0) continue;
      await tx
        .insertInto("balances")
        .values(accounts.map((a) => ({ account_id: a.id, balance: 0, currency: a.currency, updated_at: at })))
        .onConflict((oc) => oc.column("account_id").doNothing())
        .execute();
      for (const row of await this.readLocked(
        accounts.map((a) => a.id),
        tx,
      ))
        locked.set(row.accountId, row);
    }
    return locked;
  }

  private async readLocked(accountIds: readonly string[], tx: Executor): Promise<LockedBalance[]> {
    // One account is what every call's admission asks for: a query built once.
    const rows =
      accountIds.length === 1
        ? await lockedBalanceOf(tx, accountIds[0] as string)
        : await tx
            .selectFrom("balances")
            .innerJoin("accounts", "accounts.id", "balances.account_id")
            .select([
              "balances.account_id",
              "balances.balance",
              "balances.currency",
              "accounts.low_balance_threshold",
            ])
            .where("balances.account_id", "in", accountIds)
            .orderBy("balances.account_id")
            .$if(isPostgres(tx), (q) => q.forUpdate("balances"))
            .execute();
    return rows.map((row) => ({
      accountId: row.account_id,
      balance: Number(row.balance),
      currency: row.currency,
      lowBalanceThreshold: row.low_balance_threshold === null ? null : Number(row.low_balance_threshold),
    }));
  }

  /** Sets many balances at once (one statement on PostgreSQL). */
  async setBalances(balances: ReadonlyMap<string, number>, at: string, tx: Executor): Promise<void> {
    if (balances.size === 0) return;
    if (isPostgres(tx)) {
      await sql`
        update balances set balance = moved.balance, updated_at = ${at}
        from unnest(${[...balances.keys()]}::text[], ${[...balances.values()]}::bigint[]) as moved(account_id, balance)
        where balances.account_id = moved.account_id`.execute(tx);
      return;
    }
    for (const [accountId, balance] of balances) {
      await tx
        .updateTable("balances")
        .set({ balance, updated_at: at })
        .where("account_id", "=", accountId)
        .execute();
    }
  }

  /**
   * Appends entries and returns them with their ids, in the order given. Entries that all carry
   * a reference go in one statement a thousand and get their ids back by (kind, reference), which
   * is unique; others go one at a time.
   */
  async insertEntries(entries: readonly Omit<LedgerEntry, "id">[], tx: Executor): Promise<LedgerEntry[]> {
    const toRow = (entry: Omit<LedgerEntry, "id">) => ({
      account_id: entry.accountId,
      kind: entry.kind,
      amount: entry.amount,
      balance_after: entry.balanceAfter,
      currency: entry.currency,
      reason: entry.reason,
      actor: entry.actor,
      reference: entry.reference,
      created_at: entry.createdAt,
    });
    if (entries.length === 1 || entries.some((e) => e.reference === null)) {
      const inserted: LedgerEntry[] = [];
      for (const entry of entries) {
        const row = await tx
          .insertInto("ledger_entries")
          .values(toRow(entry))
          .returning("id")
          .executeTakeFirstOrThrow();
        inserted.push({ ...entry, id: Number(row.id) });
      }
      return inserted;
    }
    const ids = new Map<string, number>();
    const postgres = isPostgres(tx);
    for (let i = 0; i < entries.length; i += ENTRY_BATCH) {
      const rows = entries.slice(i, i + ENTRY_BATCH).map(toRow);
      // Built by hand: a query builder spends longer on a thousand rows than the database does.
      const query = postgres
        ? CompiledQuery.raw(
            `insert into ledger_entries (${ENTRY_COLUMN_LIST}) select * from unnest(${ENTRY_COLUMNS.map(
              ([, type], n) => `$${n + 1}::${type}[]`,
            ).join(", ")}) returning id, kind, reference`,
            ENTRY_COLUMNS.map(([name]) => rows.map((row) => row[name])),
          )
        : CompiledQuery.raw(
            `insert into ledger_entries (${ENTRY_COLUMN_LIST}) values ${rows
              .map(() => `(${ENTRY_COLUMNS.map(() => "?").join(",")})`)
              .join(",")} returning id, kind, reference`,
            rows.flatMap((row) => ENTRY_COLUMNS.map(([name]) => row[name])),
          );
      const result = await tx.executeQuery<{ id: number; kind: string; reference: string }>(query);
      for (const row of result.rows) ids.set(`${row.kind} ${row.reference}`, Number(row.id));
    }
    return entries.map((entry) => ({ ...entry, id: ids.get(`${entry.kind} ${entry.reference}`) as number }));
  }

  async findByReferences(
    kind: LedgerEntryKind,
    references: readonly string[],
    tx: Executor = this.db,
  ): Promise<LedgerEntry[]> {
    const found: LedgerEntry[] = [];
    for (let i = 0; i < references.length; i += IN_LIST_BATCH) {
      const rows = await tx
        .selectFrom("ledger_entries")
        .selectAll()
        .where("kind", "=", kind)
        .where("reference", "in", references.slice(i, i + IN_LIST_BATCH))
        .execute();
      found.push(...rows.map(toEntry));
    }
    return found;
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

  async insertWarnings(warnings: readonly BalanceWarning[], tx: Executor): Promise<void> {
    if (warnings.length === 0) return;
    await tx
      .insertInto("balance_warnings")
      .values(
        warnings.map((warning) => ({
          id: warning.id,
          account_id: warning.accountId,
          threshold: warning.threshold,
          balance: warning.balance,
          currency: warning.currency,
          ledger_entry_id: warning.ledgerEntryId,
          created_at: warning.createdAt,
          notified_at: warning.notifiedAt,
        })),
      )
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
