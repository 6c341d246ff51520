import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type {
  Database,
  PrivacyExportsTable,
  PrivacyRequestEventsTable,
  PrivacyRequestsTable,
} from "../../db/schema.ts";
import { type Executor, writeTransaction } from "../../db/write-transaction.ts";
import type { SubjectTable } from "./subject-data.ts";

/** Who a customer is, in the ways the inventory's subject columns name them. */
export interface SubjectKeys {
  accountId: string;
  email: string;
}

export interface ColumnShape {
  nullable: boolean;
  /** The database's type name, lower case (text, integer, bigint, timestamptz...). */
  dataType: string;
}

type Row = Record<string, unknown>;

/** The inventory's tables seen by name: export and erasure reach tables this domain does not type. */
type AnyTables = Record<string, Record<string, unknown>>;

/**
 * Queries of the privacy domain. The subject-data queries are generic over the tables the
 * inventory names (export and erasure reach every dataset without a list of their own); the rest
 * are the privacy tables' own.
 */
export class PrivacyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every column of every table in the database, as `table.column`. */
  async listColumns(): Promise<string[]> {
    const tables = await this.db.introspection.getTables({ withInternalKyselyTables: true });
    return tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`));
  }

  /** Which tables exist, and each column's nullability and type. */
  async columnShapes(): Promise<Map<string, Map<string, ColumnShape>>> {
    const tables = await this.db.introspection.getTables();
    return new Map(
      tables.map((t) => [
        t.name,
        new Map(
          t.columns.map((c) => [c.name, { nullable: c.isNullable, dataType: c.dataType.toLowerCase() }]),
        ),
      ]),
    );
  }

  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, work);
  }

  private subjectQuery(tx: Executor, target: SubjectTable, subject: SubjectKeys) {
    const db = tx as unknown as Kysely<AnyTables>;
    const key = target.subjectKind === "email" ? subject.email : subject.accountId;
    return { db, key };
  }

  /** The customer's rows of one table, with only the columns asked for. */
  async rowsOf(
    target: SubjectTable,
    subject: SubjectKeys,
    columns: readonly string[],
    tx: Executor = this.db,
  ): Promise<Row[]> {
    if (columns.length === 0) return [];
    const { db, key } = this.subjectQuery(tx, target, subject);
    let query = db.selectFrom(target.table).select(columns as string[]);
    query = target.via
      ? query.where(target.subjectColumn, "in", subjectKeysVia(db, target.via, subject))
      : query.where(target.subjectColumn, "=", key);
    const first = columns[0] as string;
    return query.orderBy(first).execute();
  }

  async countOf(target: SubjectTable, subject: SubjectKeys, tx: Executor = this.db): Promise<number> {
    const { db, key } = this.subjectQuery(tx, target, subject);
    let query = db.selectFrom(target.table).select((eb) => eb.fn.countAll().as("n"));
    query = target.via
      ? query.where(target.subjectColumn, "in", subjectKeysVia(db, target.via, subject))
      : query.where(target.subjectColumn, "=", key);
    const row = (await query.executeTakeFirst()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** The latest value of a column among the customer's rows (for "kept until"). */
  async latestOf(
    target: SubjectTable,
    subject: SubjectKeys,
    column: string,
    tx: Executor = this.db,
  ): Promise<string | undefined> {
    const { db, key } = this.subjectQuery(tx, target, subject);
    let query = db.selectFrom(target.table).select((eb) => eb.fn.max(column).as("latest"));
    query = target.via
      ? query.where(target.subjectColumn, "in", subjectKeysVia(db, target.via, subject))
      : query.where(target.subjectColumn, "=", key);
    const row = (await query.executeTakeFirst()) as { latest: string | null } | undefined;
    return row?.latest ?? undefined;
  }

  async deleteRowsOf(target: SubjectTable, subject: SubjectKeys, tx: Executor): Promise<number> {
    const { db, key } = this.subjectQuery(tx, target, subject);
    let query = db.deleteFrom(target.table);
    query = target.via
      ? query.where(target.subjectColumn, "in", subjectKeysVia(db, target.via, subject))
      : query.where(target.subjectColumn, "=", key);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Sets columns of every row of the customer in one table. */
  async updateRowsOf(target: SubjectTable, subject: SubjectKeys, set: Row, tx: Executor): Promise<void> {
    if (Object.keys(set).length === 0) return;
    const { db, key } = this.subjectQuery(tx, target, subject);
    let query = db.updateTable(target.table).set(set);
    query = target.via
      ? query.where(target.subjectColumn, "in", subjectKeysVia(db, target.via, subject))
      : query.where(target.subjectColumn, "=", key);
    await query.execute();
  }

  /** Replaces one value of a column among the customer's rows (a number truncated). */
  async replaceValueOf(
    target: SubjectTable,
    subject: SubjectKeys,
    column: string,
    from: unknown,
    to: unknown,
    tx: Executor,
  ): Promise<void> {
    const { db, key } = this.subjectQuery(tx, target, subject);
    let query = db
      .updateTable(target.table)
      .set({ [column]: to })
      .where(column, "=", from);
    query = target.via
      ? query.where(target.subjectColumn, "in", subjectKeysVia(db, target.via, subject))
      : query.where(target.subjectColumn, "=", key);
    await query.execute();
  }

  async distinctValuesOf(
    target: SubjectTable,
    subject: SubjectKeys,
    column: string,
    tx: Executor,
  ): Promise<unknown[]> {
    const rows = await this.rowsOf(target, subject, [column], tx);
    return [...new Set(rows.map((r) => r[column]))].filter((v) => v !== null && v !== undefined);
  }

  /** Ends the account's life: erased accounts are closed, so nobody signs in or calls as them. */
  async setAccountStatus(
    accountId: string,
    status: "active" | "suspended" | "closed",
    at: string,
    tx: Executor = this.db,
  ) {
    await tx.updateTable("accounts").set({ status, updated_at: at }).where("id", "=", accountId).execute();
  }

  async endSessions(accountId: string, tx: Executor = this.db) {
    await tx.deleteFrom("sessions").where("account_id", "=", accountId).execute();
  }

  async findAccountIdByEmail(email: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("accounts")
      .select("id")
      .where("email", "=", email)
      .executeTakeFirst();
    return row?.id;
  }

  // Requests and their history.

  async insertRequest(row: Insertable<PrivacyRequestsTable>, tx: Executor = this.db) {
    await tx.insertInto("privacy_requests").values(row).execute();
  }

  async updateRequest(id: string, set: Updateable<PrivacyRequestsTable>, tx: Executor = this.db) {
    await tx.updateTable("privacy_requests").set(set).where("id", "=", id).execute();
  }

  async findRequest(
    id: string,
    tx: Executor = this.db,
  ): Promise<Selectable<PrivacyRequestsTable> | undefined> {
    return tx.selectFrom("privacy_requests").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async requestsOf(accountId: string): Promise<Selectable<PrivacyRequestsTable>[]> {
    return this.db
      .selectFrom("privacy_requests")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("received_at", "desc")
      .orderBy("id", "desc")
      .execute();
  }

  async listRequests(filter: {
    status?: string | undefined;
    kind?: string | undefined;
    limit: number;
  }): Promise<Selectable<PrivacyRequestsTable>[]> {
    let query = this.db.selectFrom("privacy_requests").selectAll();
    if (filter.status) query = query.where("status", "=", filter.status as PrivacyRequestsTable["status"]);
    if (filter.kind) query = query.where("kind", "=", filter.kind as PrivacyRequestsTable["kind"]);
    return query.orderBy("due_at").orderBy("id").limit(filter.limit).execute();
  }

  async pendingErasure(accountId: string): Promise<Selectable<PrivacyRequestsTable> | undefined> {
    return this.db
      .selectFrom("privacy_requests")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("kind", "=", "erasure")
      .where("status", "=", "cooling-off")
      .executeTakeFirst();
  }

  async erasuresDue(at: string): Promise<Selectable<PrivacyRequestsTable>[]> {
    return this.db
      .selectFrom("privacy_requests")
      .selectAll()
      .where("kind", "=", "erasure")
      .where("status", "=", "cooling-off")
      .where("execute_after", "<=", at)
      .orderBy("execute_after")
      .execute();
  }

  /**
   * Moves a request from one status to another only if it is still in the first: the one way a
   * request changes hands, so two nodes (or a cancel and the job) never both act on it.
   */
  async claimRequest(
    id: string,
    from: PrivacyRequestsTable["status"],
    to: PrivacyRequestsTable["status"],
    at: string,
    tx: Executor = this.db,
  ): Promise<boolean> {
    const result = await tx
      .updateTable("privacy_requests")
      .set({ status: to, closed_at: at })
      .where("id", "=", id)
      .where("status", "=", from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertEvent(row: Insertable<PrivacyRequestEventsTable>, tx: Executor = this.db) {
    await tx.insertInto("privacy_request_events").values(row).execute();
  }

  async eventsOf(requestIds: readonly string[]): Promise<Selectable<PrivacyRequestEventsTable>[]> {
    if (requestIds.length === 0) return [];
    return this.db
      .selectFrom("privacy_request_events")
      .selectAll()
      .where("request_id", "in", requestIds as string[])
      .orderBy("at")
      .orderBy("id")
      .execute();
  }

  // Access archives.

  async insertExport(row: Insertable<PrivacyExportsTable>) {
    await this.db.insertInto("privacy_exports").values(row).execute();
  }

  async updateExport(id: string, set: Updateable<PrivacyExportsTable>) {
    await this.db.updateTable("privacy_exports").set(set).where("id", "=", id).execute();
  }

  /** Exports without their bytes. */
  async exportsOf(accountId: string) {
    return this.db
      .selectFrom("privacy_exports")
      .select([
        "id",
        "account_id",
        "request_id",
        "status",
        "created_at",
        "ready_at",
        "expires_at",
        "size_bytes",
      ])
      .where("account_id", "=", accountId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .execute();
  }

  async findExport(id: string): Promise<Selectable<PrivacyExportsTable> | undefined> {
    return this.db.selectFrom("privacy_exports").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** Archives still building that were asked for at or before `askedBefore` (left by a restart). */
  async exportsBuilding(askedBefore: string) {
    return this.db
      .selectFrom("privacy_exports")
      .select(["id", "account_id", "request_id"])
      .where("status", "=", "building")
      .where("created_at", "<=", askedBefore)
      .orderBy("created_at")
      .execute();
  }

  /** Stores a built archive unless another builder finished first; says whether this one counted. */
  async finishExport(id: string, set: Updateable<PrivacyExportsTable>): Promise<boolean> {
    const result = await this.db
      .updateTable("privacy_exports")
      .set(set)
      .where("id", "=", id)
      .where("status", "=", "building")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Drops the bytes of archives past their expiry; the record stays until retention removes it. */
  async dropExpiredArchives(at: string): Promise<number> {
    const result = await this.db
      .updateTable("privacy_exports")
      .set({ archive: null })
      .where("expires_at", "<=", at)
      .where("archive", "is not", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  // Consents and preferences.

  async consentsOf(accountId: string) {
    return this.db
      .selectFrom("consents")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("accepted_at")
      .orderBy("id")
      .execute();
  }

  async insertConsent(row: Insertable<Database["consents"]>) {
    await this.db.insertInto("consents").values(row).execute();
  }

  /** Withdraws every live consent of a purpose; returns how many were live. */
  async withdrawConsent(accountId: string, purpose: string, at: string): Promise<number> {
    const result = await this.db
      .updateTable("consents")
      .set({ withdrawn_at: at })
      .where("account_id", "=", accountId)
      .where("document", "=", purpose)
      .where("withdrawn_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async hasLiveConsent(accountId: string, purpose: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("consents")
      .select("id")
      .where("account_id", "=", accountId)
      .where("document", "=", purpose)
      .where("withdrawn_at", "is", null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async preferencesOf(accountId: string) {
    return this.db
      .selectFrom("privacy_preferences")
      .selectAll()
      .where("account_id", "=", accountId)
      .executeTakeFirst();
  }

  async savePreferences(row: {
    account_id: string;
    restricted_at: string | null;
    objected_at: string | null;
    updated_at: string;
  }) {
    await this.db
      .insertInto("privacy_preferences")
      .values(row)
      .onConflict((oc) =>
        oc.column("account_id").doUpdateSet({
          restricted_at: row.restricted_at,
          objected_at: row.objected_at,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  /** Accounts that restricted or objected: no analytics and no optional mail for them. */
  async accountsLimitingProcessing(): Promise<string[]> {
    const rows = await this.db
      .selectFrom("privacy_preferences")
      .select("account_id")
      .where((eb) => eb.or([eb("restricted_at", "is not", null), eb("objected_at", "is not", null)]))
      .execute();
    return rows.map((r) => r.account_id);
  }
}

function subjectKeysVia(
  db: Kysely<AnyTables>,
  via: { table: string; column: string; subject: string },
  subject: SubjectKeys,
) {
  return db.selectFrom(via.table).select(via.column).where(via.subject, "=", subject.accountId);
}
